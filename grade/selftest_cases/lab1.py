"""lab1.py: broken timers, interrupt controllers and exception dispatch the lab 1 grader must catch."""
from protocol import FAIL

PIT = "lab1-boot/pit.c"
INTR = "lab1-boot/intr.c"
ROUNDED = "divisor = (PIT_INPUT_HZ + rate_hz / 2) / rate_hz;"
LO_HI = ("    outb(PIT_CHANNEL0, divisor & 0xFF);\n"
         "    outb(PIT_CHANNEL0, (divisor >> 8) & 0xFF);")
MASTER_EOI = "        pic_send_eoi(PIC_CASCADE_IRQ); /* the master's IRQ 2 was real */"
ISR_TEST = "    if (pic_read_isr() & (1u << irq))"
HANDLER_FIRST = "    if (h != NULL && h(frame))\n        return;"


def cases(Case):
    return [
        # The divisor truncated instead of rounded (same at 1000 Hz, not at 100).
        Case("lab1-pit-divisor-truncated", "pit_divisor_bytes", FAIL,
             [(PIT, ROUNDED, "divisor = PIT_INPUT_HZ / rate_hz;")]),
        # High byte first: channel 0 counts from a byte-swapped divisor.
        Case("lab1-pit-bytes-swapped", "pit_divisor_bytes", FAIL,
             [(PIT, LO_HI, "    outb(PIT_CHANNEL0, (divisor >> 8) & 0xFF);\n"
                           "    outb(PIT_CHANNEL0, divisor & 0xFF);")], others=False),
        Case("lab1-bochs-pit-bytes-swapped", "pit_divisor_bytes", FAIL,
             [(PIT, LO_HI, "    outb(PIT_CHANNEL0, (divisor >> 8) & 0xFF);\n"
                           "    outb(PIT_CHANNEL0, divisor & 0xFF);")],
             emulator="bochs", others=False),
        # Mode 3 (square wave) instead of the handout's mode 2.
        Case("lab1-pit-mode-3", "pit_divisor_bytes", FAIL,
             [(PIT, "PIT_SEL_CHANNEL0 | PIT_ACCESS_LOHI | PIT_MODE_RATE);\n    outb(PIT_CHANNEL0",
               "PIT_SEL_CHANNEL0 | PIT_ACCESS_LOHI | 0x06);\n    outb(PIT_CHANNEL0")]),
        # A spurious IRQ 15 acknowledged at both PICs.
        Case("lab1-spurious-15-eoi-both", "pic_eoi_every_path", FAIL,
             [(INTR, MASTER_EOI, "        pic_send_eoi(irq);")]),
        Case("lab1-bochs-spurious-15-eoi-both", "pic_eoi_every_path", FAIL,
             [(INTR, MASTER_EOI, "        pic_send_eoi(irq);")], emulator="bochs"),
        # The request register read instead of the in-service register.
        Case("lab1-spurious-reads-irr", "pic_eoi_every_path", FAIL,
             [(INTR, ISR_TEST, "    if (pic_read_irr() & (1u << irq))")]),
        # Every IRQ whose in-service bit is clear taken for spurious.
        Case("lab1-spurious-any-irq", "pic_eoi_every_path", FAIL,
             [(INTR, "    if (irq != SPURIOUS_MASTER_IRQ && irq != SPURIOUS_SLAVE_IRQ)\n"
                     "        return false;\n", "")]),
        # IRQ 15's bit looked up in the master's half.
        Case("lab1-spurious-15-wrong-bit", "pic_eoi_every_path", FAIL,
             [(INTR, ISR_TEST, "    if (pic_read_isr() & (1u << (irq & 7)))")]),
        # A handler's "not mine" (false) ignored: the default report never runs.
        Case("lab1-handler-result-ignored", "exc_handler_dispatch", FAIL,
             [(INTR, HANDLER_FIRST, "    if (h != NULL) {\n        h(frame);\n        return;\n    }")]),
    ]
