/* disk_trace.c: event counts of IRQ-driven requests (sleeping, hlt, status reads, who ran first) and the IRQ14 hold used by the tests. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/port_trace.h"
#include "common/sched_trace.h"
#include "disk_channel.h"
#include "disk_trace.h"
#include "lab1-boot/pic.h"
#include "lab4-threads/scheduler.h"

static struct disk_trace trace;
static volatile bool holding;

const struct disk_trace *disk_trace_get(void)
{
    return &trace;
}

void disk_trace_reset_max(void)
{
    enum intr_level old = intr_disable();
    trace.status_reads_max = 0;
    trace.status_reads_max_block = 0;
    trace.others_first_max = 0;
    intr_set_level(old);
}

void disk_trace_begin(struct disk_channel *ch, struct disk_request *r)
{
    enum intr_level old = intr_disable();
    r->trace_reads0 = ch->ata.status_reads;
    r->trace_halts0 = scheduler_stats()->idle_halts;
    sched_trace_event(ST_DISK_ISSUE, (unsigned)thread_current()->id, r->block, r->write);
    intr_set_level(old);
}

void disk_trace_issued(struct disk_channel *ch, struct disk_request *r)
{
    KASSERT(ch->queue_locked);
    r->trace_halts0 = scheduler_stats()->idle_halts;
    if (port_trace_on) {
        (void)port_trace_get(&trace.issue_port_entry);
        trace.issue_marks++;
    }
}

void disk_trace_finish(struct disk_channel *ch, struct disk_request *r)
{
    KASSERT(ch->queue_locked);
    r->trace_switches_done = scheduler_stats()->switches;
    r->trace_slept = r->sleeping;
    sched_trace_event(ST_DISK_DONE,
                      r->waiter != NULL ? (unsigned)((struct thread *)r->waiter)->id : 0,
                      r->block, r->result == 0 ? 0 : 1);
    if (!r->irq_driven || !r->issued)
        return;
    unsigned long reads = ch->ata.status_reads - r->trace_reads0;
    trace.irq_requests++;
    if (r->sleeping)
        trace.slept++;
    if (scheduler_stats()->idle_halts != r->trace_halts0)
        trace.halted++;
    if (reads > trace.status_reads_max) {
        trace.status_reads_max = reads;
        trace.status_reads_max_block = r->block;
    }
}

void disk_trace_resumed(struct disk_channel *ch, struct disk_request *r)
{
    if (!r->irq_driven || !r->issued || !r->trace_slept)
        return;
    enum intr_level old = disk_channel_lock(ch);
    /* One switch brought the waiter back; any more were other threads first. */
    unsigned long switches = scheduler_stats()->switches - r->trace_switches_done;
    unsigned long others = switches > 0 ? switches - 1 : 0;
    trace.resumed++;
    if (others > trace.others_first_max)
        trace.others_first_max = others;
    disk_channel_unlock(ch, old);
}

void disk_trace_irq(struct disk_channel *ch, void (*bottom_half)(struct disk_channel *))
{
    KASSERT(intr_get_level() == INTR_OFF);
    if (holding) {
        pic_mask(ch->ata.irq); /* the next one waits for disk_hold_release */
        trace.held_irqs++;
    }
    unsigned long woken = ch->stats.wakeups, switches = scheduler_stats()->switches;
    bottom_half(ch);
    /* A forced yield switches away before the handler returns: back here,
     * the switch count has moved on. */
    if (ch->stats.wakeups != woken && scheduler_stats()->switches == switches)
        trace.irq_woke_no_yield++;
}

void disk_hold_begin(struct disk_channel *ch)
{
    enum intr_level old = intr_disable();
    holding = true;
    pic_mask(ch->ata.irq);
    intr_set_level(old);
}

bool disk_hold_pending(struct disk_channel *ch)
{
    enum intr_level old = intr_disable(); /* the PIC's register select is shared */
    bool pending = (pic_read_irr() & (1u << ch->ata.irq)) != 0;
    intr_set_level(old);
    return pending;
}

void disk_hold_release(struct disk_channel *ch)
{
    KASSERT(intr_get_level() == INTR_ON);
    trace.releases++;
    pic_unmask(ch->ata.irq); /* taken now; disk_trace_irq masks it again */
}

void disk_hold_end(struct disk_channel *ch)
{
    enum intr_level old = intr_disable();
    holding = false;
    pic_unmask(ch->ata.irq);
    intr_set_level(old);
}
