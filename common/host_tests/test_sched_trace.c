/* test_sched_trace.c: host unit tests of the scheduling trace ring: newest kept, timer runs merged, interrupt level kept, the dump's format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "common/sched_trace.h"

enum intr_level fake_intr = INTR_ON;
unsigned long fake_cli_count;
uint64_t fake_tsc, fake_tsc_step = 10;

static uint32_t fake_ticks;

#define DUMP_LINES_MAX 512
static char dump[DUMP_LINES_MAX][1024];
static int dump_n;

static void collect(const char *line)
{
    assert_true(dump_n < DUMP_LINES_MAX);
    assert_true(strlen(line) < sizeof dump[0] - 40); /* room for ktest's tag */
    snprintf(dump[dump_n++], sizeof dump[0], "%s", line);
}

static int setup(void **state)
{
    (void)state;
    sched_trace_set_recording(true);
    sched_trace_set_clock(&fake_ticks);
    sched_trace_reset();
    fake_ticks = 100;
    fake_intr = INTR_ON;
    dump_n = 0;
    return 0;
}

static void ring_keeps_the_newest(void **state)
{
    (void)state;
    for (unsigned i = 0; i < SCHED_TRACE_EVENTS + 10; i++)
        sched_trace_event(ST_WAKE, i, 0, 0);
    assert_int_equal(sched_trace_count(), SCHED_TRACE_EVENTS);
    assert_int_equal(sched_trace_dropped(), 10);
    assert_int_equal(sched_trace_get(0).a, 10);
    assert_int_equal(sched_trace_get(SCHED_TRACE_EVENTS - 1).a, SCHED_TRACE_EVENTS + 9);
    for (size_t i = 1; i < SCHED_TRACE_EVENTS; i++) /* oldest first, time never runs back */
        assert_true(sched_trace_get(i).tsc > sched_trace_get(i - 1).tsc);
    sched_trace_reset();
    assert_int_equal(sched_trace_count(), 0);
    assert_int_equal(sched_trace_dropped(), 0);
}

static void events_carry_tick_and_fields(void **state)
{
    (void)state;
    fake_ticks = 7;
    sched_trace_event(ST_SWITCH, 3, 4, ST_STATE_BLOCKED);
    struct sched_trace_event e = sched_trace_get(0);
    assert_int_equal(e.tick, 7);
    assert_int_equal(e.kind, ST_SWITCH);
    assert_int_equal(e.a, 3);
    assert_int_equal(e.b, 4);
    assert_int_equal(e.c, ST_STATE_BLOCKED);
}

static void timer_runs_merge_other_irqs_do_not(void **state)
{
    (void)state;
    fake_intr = INTR_OFF; /* as in an interrupt handler */
    for (int i = 0; i < 5; i++)
        sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    assert_int_equal(sched_trace_count(), 1);
    assert_int_equal(sched_trace_get(0).b, 5);
    sched_trace_irq(14);
    sched_trace_irq(14);
    assert_int_equal(sched_trace_count(), 3); /* disk interrupts one by one */
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    sched_trace_event(ST_PREEMPT, 2, 0, 0);
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ); /* something happened between: a new run */
    assert_int_equal(sched_trace_count(), 6);
    assert_int_equal(sched_trace_get(5).b, 1);
}

static void recording_off_records_nothing(void **state)
{
    (void)state;
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    assert_true(sched_trace_set_recording(false));
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    sched_trace_event(ST_YIELD, 1, 0, 0);
    assert_false(sched_trace_set_recording(true));
    assert_int_equal(sched_trace_count(), 1);
    assert_int_equal(sched_trace_get(0).b, 1);
}

/* A timer run goes on across a pause in recording (the ticks in the pause
 * are not counted), and ends at a reset or once its event is overwritten. */
static void timer_runs_end_at_reset_and_wrap(void **state)
{
    (void)state;
    fake_intr = INTR_OFF;
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    sched_trace_set_recording(false);
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    sched_trace_set_recording(true);
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    assert_int_equal(sched_trace_count(), 1);
    assert_int_equal(sched_trace_get(0).b, 2); /* the run went on, the paused tick not counted */
    sched_trace_reset();
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    assert_int_equal(sched_trace_count(), 1);
    assert_int_equal(sched_trace_get(0).b, 1); /* a new run after the reset */
    for (unsigned i = 0; i < SCHED_TRACE_EVENTS; i++) /* the run's slot is reused */
        sched_trace_record(ST_WAKE, i, 0, 0);
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    struct sched_trace_event last = sched_trace_get(sched_trace_count() - 1);
    assert_int_equal(last.kind, ST_IRQ);
    assert_int_equal(last.b, 1);
    assert_int_equal(sched_trace_get(sched_trace_count() - 2).kind, ST_WAKE);
}

static void interrupt_level_is_kept(void **state)
{
    (void)state;
    unsigned long cli0 = fake_cli_count;
    sched_trace_event(ST_YIELD, 1, 0, 0);
    assert_int_equal(fake_intr, INTR_ON);
    assert_true(fake_cli_count > cli0); /* interrupts were off while it wrote */
    fake_intr = INTR_OFF;
    sched_trace_irq(3);
    sched_trace_name(5, "x");
    assert_int_equal(fake_intr, INTR_OFF); /* not turned on behind the caller */
}

static void names_are_kept_and_sanitised(void **state)
{
    (void)state;
    assert_null(sched_trace_name_of(63));
    sched_trace_name(2, "disk io\tthread");
    sched_trace_name(2 + SCHED_TRACE_NAMES, "other"); /* same slot: replaces it */
    assert_null(sched_trace_name_of(2));
    assert_string_equal(sched_trace_name_of(2 + SCHED_TRACE_NAMES), "other");
    sched_trace_name(7, "disk io\tthread-with-a-long-name");
    sched_trace_event(ST_ADD, 7, 0, 0);
    sched_trace_dump("t", collect);
    assert_string_equal(dump[1], "N 7 disk_io_thread-"); /* no blanks; cut to 15 bytes */
}

static void dump_format_round_trips(void **state)
{
    (void)state;
    sched_trace_name(0, "main");
    sched_trace_name(4, "w");
    fake_tsc_step = 25;
    unsigned n = 30;
    for (unsigned i = 0; i < n; i++) {
        fake_ticks = 200 + i / 3;
        sched_trace_event(ST_SWITCH, i % 2 ? 4 : 0, i % 2 ? 0 : 4, ST_STATE_READY);
    }
    fake_tsc_step = 10;
    sched_trace_dump("some_test", collect);
    assert_string_equal(dump[0], "BEGIN some_test 30 0");
    assert_string_equal(dump[1], "N 0 main");
    assert_string_equal(dump[2], "N 4 w");
    assert_string_equal(dump[dump_n - 1], "END some_test 30");
    unsigned seen = 0;
    for (int l = 3; l < dump_n - 1; l++) {
        assert_true(strncmp(dump[l], "E ", 2) == 0);
        char *save = NULL;
        for (char *item = strtok_r(dump[l] + 2, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
            unsigned long tick, dtsc, a, b, c;
            char kind;
            assert_int_equal(sscanf(item, "%lu,%lu,%c,%lu,%lu,%lu", &tick, &dtsc, &kind, &a, &b, &c), 6);
            assert_int_equal(tick, 200 + seen / 3);
            assert_int_equal(dtsc, seen == 0 ? 0 : 25);
            assert_int_equal(kind, 'S');
            assert_int_equal(a, seen % 2 ? 4 : 0);
            assert_int_equal(c, ST_STATE_READY);
            seen++;
        }
    }
    assert_int_equal(seen, n);
    assert_int_equal(sched_trace_count(), n); /* the dump records nothing itself */
}

/* A yield or a preemption is one event in the ring (the switch, its
 * previous thread's state saying why) but the dump writes it as the two
 * events the timelines know: Y or P of that thread, then the switch with
 * 'r', at the same tick and time stamp. */
static void cause_switches_dump_as_two_events(void **state)
{
    (void)state;
    fake_ticks = 9;
    sched_trace_event(ST_SWITCH, 1, 2, ST_STATE_YIELDED);
    sched_trace_event(ST_SWITCH, 2, 1, ST_STATE_PREEMPTED);
    sched_trace_event(ST_SWITCH, 1, 2, ST_STATE_BLOCKED);
    assert_int_equal(sched_trace_count(), 3); /* one slot per switch */
    sched_trace_dump("t", collect);
    assert_string_equal(dump[0], "BEGIN t 5 0");
    assert_string_equal(dump[1], "E 9,0,Y,1,0,0 9,0,S,1,2,114 9,10,P,2,0,0 9,0,S,2,1,114 "
                                 "9,10,S,1,2,98");
    assert_string_equal(dump[2], "END t 5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(ring_keeps_the_newest, setup),
        cmocka_unit_test_setup(events_carry_tick_and_fields, setup),
        cmocka_unit_test_setup(timer_runs_merge_other_irqs_do_not, setup),
        cmocka_unit_test_setup(recording_off_records_nothing, setup),
        cmocka_unit_test_setup(timer_runs_end_at_reset_and_wrap, setup),
        cmocka_unit_test_setup(interrupt_level_is_kept, setup),
        cmocka_unit_test_setup(names_are_kept_and_sanitised, setup),
        cmocka_unit_test_setup(dump_format_round_trips, setup),
        cmocka_unit_test_setup(cause_switches_dump_as_two_events, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
