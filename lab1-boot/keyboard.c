/* keyboard.c: translate PS/2 set-1 scancodes into characters for input.c. */
#include <stdbool.h>
#include <stdint.h>

#include "common/x86.h"
#include "input.h"
#include "intr.h"
#include "keyboard.h"

#define KBD_DATA_PORT   0x60
#define KBD_STATUS_PORT 0x64
#define KBD_STATUS_OUTPUT_FULL 0x01
#define KBD_IRQ 1

#define SC_RELEASE     0x80 /* bit set in a key-release scancode */
#define SC_LEFT_SHIFT  0x2A
#define SC_RIGHT_SHIFT 0x36
#define SC_EXTENDED    0xE0

/* Unshifted and shifted characters for scancodes 0x00-0x39. */
static const char keymap[2][0x3A] = {
    {0,   27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=',
     '\b', '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']',
     '\n', 0,   'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
     0,   '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,   '*',
     0,   ' '},
    {0,   27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',
     '\b', '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}',
     '\n', 0,   'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
     0,   '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,   '*',
     0,   ' '},
};

static bool shift_down;
static bool extended; /* previous byte was the 0xE0 prefix */

void keyboard_poll(void)
{
    while (inb(KBD_STATUS_PORT) & KBD_STATUS_OUTPUT_FULL) {
        uint8_t sc = inb(KBD_DATA_PORT);
        if (sc == SC_EXTENDED) {
            extended = true;
            continue;
        }
        bool release = sc & SC_RELEASE;
        uint8_t code = sc & ~SC_RELEASE;
        if (extended) { /* arrows etc.: ignored */
            extended = false;
            continue;
        }
        if (code == SC_LEFT_SHIFT || code == SC_RIGHT_SHIFT)
            shift_down = !release;
        else if (!release && code < sizeof keymap[0] && keymap[shift_down][code])
            input_push(keymap[shift_down][code]);
    }
}

static void keyboard_interrupt(struct intr_frame *frame)
{
    (void)frame;
    keyboard_poll();
}

void keyboard_init(void)
{
    while (inb(KBD_STATUS_PORT) & KBD_STATUS_OUTPUT_FULL)
        (void)inb(KBD_DATA_PORT); /* drop anything pressed during boot */
    irq_register(KBD_IRQ, keyboard_interrupt);
}
