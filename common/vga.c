/* vga.c: text-mode VGA console at 0xB8000, with scrolling and a hardware cursor. */
#include <stdint.h>

#include "kstring.h"
#include "vga.h"
#include "x86.h"

#define VGA_TEXT_BASE 0xB8000u
#define VGA_COLS      80
#define VGA_ROWS      25
#define VGA_ATTR      0x0700 /* light grey on black */

/* CRT controller: index/data ports and the cursor location registers. */
#define CRTC_INDEX      0x3D4
#define CRTC_DATA       0x3D5
#define CRTC_CURSOR_HI  0x0E
#define CRTC_CURSOR_LO  0x0F

static volatile uint16_t *const vga_mem = (volatile uint16_t *)VGA_TEXT_BASE;
static int vga_row, vga_col;

static void vga_move_cursor(void)
{
    uint16_t pos = (uint16_t)(vga_row * VGA_COLS + vga_col);
    outb(CRTC_INDEX, CRTC_CURSOR_HI);
    outb(CRTC_DATA, pos >> 8);
    outb(CRTC_INDEX, CRTC_CURSOR_LO);
    outb(CRTC_DATA, pos & 0xFF);
}

static void vga_clear_row(int row)
{
    for (int c = 0; c < VGA_COLS; c++)
        vga_mem[row * VGA_COLS + c] = VGA_ATTR | ' ';
}

static void vga_scroll(void)
{
    for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
        vga_mem[i] = vga_mem[i + VGA_COLS];
    vga_clear_row(VGA_ROWS - 1);
    vga_row = VGA_ROWS - 1;
}

void vga_init(void)
{
    for (int r = 0; r < VGA_ROWS; r++)
        vga_clear_row(r);
    vga_row = vga_col = 0;
    vga_move_cursor();
}

void vga_putc(char c)
{
    switch (c) {
    case '\n':
        vga_col = 0;
        vga_row++;
        break;
    case '\r':
        vga_col = 0;
        break;
    case '\b':
        if (vga_col > 0)
            vga_mem[vga_row * VGA_COLS + --vga_col] = VGA_ATTR | ' ';
        break;
    case '\t':
        vga_col = (vga_col + 8) & ~7;
        break;
    default:
        vga_mem[vga_row * VGA_COLS + vga_col] = VGA_ATTR | (uint8_t)c;
        vga_col++;
    }
    if (vga_col >= VGA_COLS) {
        vga_col = 0;
        vga_row++;
    }
    if (vga_row >= VGA_ROWS)
        vga_scroll();
    vga_move_cursor();
}
