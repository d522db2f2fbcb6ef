/* input.h: console input from COM1 and the PS/2 keyboard, one line buffer. */
#ifndef LAB1_INPUT_H
#define LAB1_INPUT_H

#include <stddef.h>

/* Register the COM1 and keyboard IRQs. Boot only. */
void input_init(void);

/* Queue a received character. Called from IRQ handlers (interrupts off). */
void input_push(char c);

/* Read COM1 and the keyboard by polling from now on: for a kernel whose
 * interrupts are not set up (lab 1 unfinished). Boot only. */
void input_set_polling(void);

/* Wait for a character (halting between interrupts, or polling after
 * input_set_polling()). Interrupts must be on unless polling; not from an
 * interrupt handler. */
char input_getc(void);

/* Read a line into BUF (at most SIZE-1 chars, NUL-terminated, no newline),
 * echoing it and handling backspace. Same context as input_getc(). */
size_t input_readline(char *buf, size_t size);

#endif
