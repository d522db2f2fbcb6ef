; syscall_entry.asm: the int 0x80 gate's stub (a struct trap_frame like isr.asm's) and ring3_enter.
bits 32
section .text

extern syscall_dispatch
extern intr_return

SYSCALL_VECTOR equ 0x80
KERNEL_DS equ 0x10

; The CPU, coming from ring 3, switched to the TSS's esp0 and pushed ss, esp,
; eflags, cs, eip. Save the rest as isr.asm does (error code 0, the vector),
; call syscall_dispatch(frame) and leave through lab 1's intr_return, which
; restores everything (eax: the result the dispatcher stored) and irets.
global syscall_entry
syscall_entry:
    push dword 0
    push dword SYSCALL_VECTOR
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, KERNEL_DS
    mov ds, ax
    mov es, ax
    push esp                        ; struct trap_frame *
    call syscall_dispatch
    add esp, 4
    jmp intr_return

TRAP_FRAME_SIZE equ 76             ; sizeof(struct trap_frame) (lab7-user/trap.h)

; void ring3_enter(const struct trap_frame *tf, uint32_t stack_top): copy TF
; to [stack_top - TRAP_FRAME_SIZE, stack_top), make that the stack, pop it.
; The caller's frames up there are overwritten: this never returns.
global ring3_enter
ring3_enter:
    mov esi, [esp + 4]
    mov edi, [esp + 8]
    sub edi, TRAP_FRAME_SIZE
    mov esp, edi
    mov ecx, TRAP_FRAME_SIZE / 4
    cld
    rep movsd
    jmp intr_return
