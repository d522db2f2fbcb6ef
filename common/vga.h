/* vga.h: 80x25 VGA text console with scrolling. */
#ifndef COMMON_VGA_H
#define COMMON_VGA_H

/* Clear the screen and home the cursor. */
void vga_init(void);

/* Write one character (handles \n, \r, \b, \t; scrolls at the bottom).
 * Caller must have interrupts off or be the only writer (console does). */
void vga_putc(char c);

#endif
