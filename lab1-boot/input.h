/* input.h: console input from COM1 and the PS/2 keyboard, one line buffer. */
#ifndef LAB1_INPUT_H
#define LAB1_INPUT_H

#include <stdbool.h>
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

/* The same two, giving up once STOP() returns true (asked before every wait
 * and after every interrupt that ends one; NULL: never): input_getc_until
 * returns false, input_readline_until -1 with the partial line dropped and
 * BUF "". For a reader that must notice something other than input (lab 7:
 * a process killed while it reads the console). Same context as input_getc(). */
bool input_getc_until(char *out, bool (*stop)(void));
long input_readline_until(char *buf, size_t size, bool (*stop)(void));

#endif
