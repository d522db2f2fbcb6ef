/* keyboard.h: PS/2 keyboard (scancode set 1, US layout) feeding console input. */
#ifndef LAB1_KEYBOARD_H
#define LAB1_KEYBOARD_H

/* Register IRQ 1. Boot only. */
void keyboard_init(void);

/* Translate whatever scancodes the controller holds into input (what the
 * IRQ 1 handler does). Interrupts off. */
void keyboard_poll(void);

#endif
