/* ktable.h: registration tables: arrays any file adds entries to, gathered by the linker. */
#ifndef COMMON_KTABLE_H
#define COMMON_KTABLE_H

/*
 * A registration table NAME is an array of one struct type whose entries are
 * defined in any file of the kernel (a test, a monitor command, ...). The
 * linker script (common/kernel.ld) collects every input section .ktable.* in
 * name order into one output section, so for each table
 *
 *   .ktable.NAME.0   the start marker  __NAME_start  (KTABLE_DEFINE)
 *   .ktable.NAME.1   every entry                      (KTABLE_ENTRY)
 *   .ktable.NAME.2   the end marker    __NAME_end    (KTABLE_DEFINE)
 *
 * end up adjacent, in that order, and the table is [__NAME_start, __NAME_end).
 * Adding a table needs no change in common/: the owner's header declares it
 * and a registration macro, one .c file defines it:
 *
 *   owner.h:  struct widget { const char *name; };
 *             KTABLE_DECLARE(const struct widget, widget);
 *             #define WIDGET(n) static const struct widget widget_##n \
 *                               KTABLE_ENTRY(widget) = {#n}
 *   owner.c:  KTABLE_DEFINE(const struct widget, widget);
 *             for (const struct widget *w = __widget_start; w < __widget_end; w++) ...
 *
 * Entries must be 4-byte aligned structs whose size is a multiple of 4 (every
 * pointer-and-integer struct is), so that no padding falls between them.
 * The tables sit between .rodata and .data, inside the range whose keyed hash
 * ktest checks ([__kernel_start, __ktables_end)): they are read-only data.
 */

/* Attributes that put one entry in table NAME. */
#define KTABLE_ENTRY(name) \
    __attribute__((used, section(".ktable." #name ".1"), aligned(4)))

/* The bounds of table NAME, of entries of TYPE (for headers). */
#define KTABLE_DECLARE(type, name) extern type __##name##_start[], __##name##_end[]

/* Define the bounds of table NAME: exactly once, in the table owner's .c file. */
#define KTABLE_DEFINE(type, name)                                            \
    type __##name##_start[0]                                                 \
        __attribute__((used, section(".ktable." #name ".0"), aligned(4))) = {}; \
    type __##name##_end[0]                                                   \
        __attribute__((used, section(".ktable." #name ".2"), aligned(4))) = {}

/* Number of entries of table NAME. */
#define KTABLE_COUNT(name) ((int)(__##name##_end - __##name##_start))

#endif
