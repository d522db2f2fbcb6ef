/* input.c: a ring buffer filled by the COM1 and keyboard interrupt handlers. */
#include <stdbool.h>
#include <stdint.h>

#include "common/console.h"
#include "common/debug.h"
#include "common/serial.h"
#include "common/x86.h"
#include "input.h"
#include "intr.h"
#include "keyboard.h"

#define INPUT_BUF_SIZE 256

/* Written by interrupt handlers, read by input_getc(); interrupts off around
 * the read side's check-then-take. */
static char input_buf[INPUT_BUF_SIZE];
static volatile uint32_t input_head, input_tail; /* tail: next to read */
static bool input_polling; /* no interrupts: read the devices directly */

void input_push(char c)
{
    if (input_head - input_tail == INPUT_BUF_SIZE)
        return; /* full: drop */
    input_buf[input_head % INPUT_BUF_SIZE] = c;
    input_head++;
}

static void serial_interrupt(struct intr_frame *frame)
{
    (void)frame;
    while (serial_rx_ready()) {
        char c = (char)serial_rx_byte();
        input_push(c == '\r' ? '\n' : c);
    }
}

void input_init(void)
{
    irq_register(SERIAL_IRQ, serial_interrupt);
    serial_enable_rx_interrupt();
    keyboard_init();
}

void input_set_polling(void)
{
    input_polling = true;
}

/* Take what COM1 and the keyboard hold, as their interrupt handlers would. */
static void input_poll(void)
{
    enum intr_level old = intr_disable();
    serial_interrupt(NULL);
    keyboard_poll();
    intr_set_level(old);
}

bool input_getc_until(char *out, bool (*stop)(void))
{
    if (input_polling) {
        while (input_head == input_tail) {
            if (stop != NULL && stop())
                return false;
            input_poll();
        }
        *out = input_buf[input_tail % INPUT_BUF_SIZE];
        input_tail++;
        return true;
    }
    KASSERT(intr_get_level() == INTR_ON);
    for (;;) {
        if (stop != NULL && stop()) /* checked after every interrupt that woke us */
            return false;
        cpu_cli();
        if (input_head != input_tail) {
            *out = input_buf[input_tail % INPUT_BUF_SIZE];
            input_tail++;
            cpu_sti();
            return true;
        }
        cpu_sti_hlt(); /* no lost wake-up: sti takes effect after hlt starts */
    }
}

char input_getc(void)
{
    char c = 0;
    input_getc_until(&c, NULL);
    return c;
}

long input_readline_until(char *buf, size_t size, bool (*stop)(void))
{
    size_t n = 0;

    KASSERT(size > 0);
    for (;;) {
        char c;
        if (!input_getc_until(&c, stop)) {
            buf[0] = '\0';
            return -1;
        }
        if (c == '\n') {
            console_putc('\n');
            break;
        }
        if (c == '\b' || c == 0x7F) {
            if (n > 0) {
                n--;
                console_puts("\b \b");
            }
            continue;
        }
        if ((unsigned char)c < ' ' || n + 1 >= size)
            continue;
        buf[n++] = c;
        console_putc(c);
    }
    buf[n] = '\0';
    return (long)n;
}

size_t input_readline(char *buf, size_t size)
{
    return (size_t)input_readline_until(buf, size, NULL);
}
