; isr.asm: entry stubs for the 32 CPU exceptions and 16 IRQs.
;
; Each stub pushes an error code (a dummy 0 when the CPU pushes none) and its
; vector number, then joins intr_common, which saves the registers as a
; struct intr_frame (lab1-boot/intr.h) and calls intr_dispatch(frame). The
; IRQ stubs join irq_common instead, which calls irq_dispatch(frame) at once:
; their vector is known, and the timer's tick is the kernel's hottest path.
bits 32
section .text

extern intr_dispatch
extern irq_dispatch

%macro STUB_NOERR 1
stub_%1:
    push dword 0                    ; no CPU error code: push a dummy
    push dword %1
    jmp intr_common
%endmacro

%macro STUB_IRQ 1
stub_%1:
    push dword 0                    ; no error code
    push dword %1
    jmp irq_common
%endmacro

%macro STUB_ERR 1
stub_%1:
    push dword %1                   ; the CPU already pushed an error code
    jmp intr_common
%endmacro

; Exceptions 8, 10-14, 17, 21, 29 and 30 push an error code.
STUB_NOERR 0
STUB_NOERR 1
STUB_NOERR 2
STUB_NOERR 3
STUB_NOERR 4
STUB_NOERR 5
STUB_NOERR 6
STUB_NOERR 7
STUB_ERR   8
STUB_NOERR 9
STUB_ERR   10
STUB_ERR   11
STUB_ERR   12
STUB_ERR   13
STUB_ERR   14
STUB_NOERR 15
STUB_NOERR 16
STUB_ERR   17
STUB_NOERR 18
STUB_NOERR 19
STUB_NOERR 20
STUB_ERR   21
STUB_NOERR 22
STUB_NOERR 23
STUB_NOERR 24
STUB_NOERR 25
STUB_NOERR 26
STUB_NOERR 27
STUB_NOERR 28
STUB_ERR   29
STUB_ERR   30
STUB_NOERR 31
%assign v 32
%rep 16                             ; IRQ 0-15, remapped to vectors 32-47
STUB_IRQ v
%assign v v + 1
%endrep

; Save the registers below the stub's two words: a struct intr_frame.
%macro SAVE_FRAME 0
    pushad                          ; eax ecx edx ebx esp ebp esi edi
    push ds
    push es
    push fs
    push gs
    mov ax, 0x10                    ; kernel data segment
    mov ds, ax
    mov es, ax
%endmacro

; An IRQ: save everything, call irq_dispatch(frame), leave by intr_return.
irq_common:
    SAVE_FRAME
    push esp                        ; struct intr_frame *
    call irq_dispatch
    add esp, 4
    jmp intr_return

; Save everything, call intr_dispatch(frame), restore, return from interrupt.
intr_common:
    SAVE_FRAME
    push esp                        ; struct intr_frame *
    call intr_dispatch
    add esp, 4
global intr_return
intr_return:                        ; a new thread's first "return" starts here
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8                      ; vector and error code
    iretd

; Table of stub addresses for idt.c.
section .rodata
global intr_stubs
intr_stubs:
%assign v 0
%rep 48
    dd stub_ %+ v
%assign v v + 1
%endrep
