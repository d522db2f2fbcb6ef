; entry.asm: kernel entry at 1 MiB: clear .bss, set up the boot stack, call C.
;
; The loader jumps here in protected mode with interrupts off, flat segments
; and EBX = physical address of struct boot_info.
bits 32

BOOT_STACK_SIZE equ 16384

extern kernel_main
extern __bss_start, __bss_end

section .text.entry
global _start
_start:
    cld
    mov edi, __bss_start            ; .bss is not in the image: zero it
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb

    mov esp, boot_stack_top
    xor ebp, ebp                    ; end of the frame-pointer chain
    push ebx                        ; struct boot_info *
    call kernel_main
.hang:                              ; kernel_main never returns
    cli
    hlt
    jmp .hang

section .bss
align 16
global boot_stack_bottom
boot_stack_bottom:
    resb BOOT_STACK_SIZE
boot_stack_top:
