/* intr_check.h: boot-time checks of lab 1's interrupt steps, so a half-written kernel names the missing step instead of resetting. */
#ifndef LAB1_INTR_CHECK_H
#define LAB1_INTR_CHECK_H

#include <stdbool.h>

#include "common/ktest.h"

/* Lab 1's steps, in the handout's order (lab1-boot/README.md). */
enum intr_step {
    INTR_STEP_IDT = 1,      /* IDT gates and lidt */
    INTR_STEP_PIC = 2,      /* PIC remap (ICW1-4) and masks */
    INTR_STEP_EOI = 3,      /* end of interrupt */
    INTR_STEP_SPURIOUS = 4, /* spurious IRQ 7 / 15 */
    INTR_STEP_PIT = 5,      /* PIT channel 0 */
    INTR_STEP_EXCEPTION = 6 /* exception dispatch and report */
    /* Steps 4 and 6 are judged by their own tests only, not at boot. */
};

/* Call pic_init() with its port writes watched, and remember whether the
 * ICW sequence was the one the kernel needs. Boot only, interrupts off,
 * instead of pic_init(). */
void intr_check_pic_init(void);

/* Check steps 1, 2, 3 and 5 (the IDT as loaded, pic_init's writes, what
 * pic_send_eoi writes, the PIT's rate) and print a "lab 1: step N (...)"
 * line for each one not done. Returns true if interrupts can safely be
 * enabled (steps 1-3 done); otherwise they must stay off, or the first IRQ
 * or exception would reset the machine. Boot only, interrupts off, after
 * pit_init(). */
bool intr_check_boot(void);

/* True if intr_check_boot() found steps 1-3 done. Any context. */
bool intr_check_ready(void);

/* "step N (name): what is wrong" if STEP was found not done at boot, else
 * NULL. Any context. */
const char *intr_step_missing(enum intr_step step);

/* In a test: fail it at once, naming STEP, if STEP was not done at boot
 * (a test that needs interrupts or exceptions would otherwise hang or reset
 * the machine). */
#define INTR_REQUIRE_STEP(step)                                               \
    do {                                                                      \
        const char *missing_ = intr_step_missing(step);                       \
        if (missing_ != NULL)                                                 \
            KT_FAIL("needs lab 1 %s", missing_);                              \
    } while (0)

#endif
