; crt0.asm: user programs' entry point: _start calls main(argc, argv), then exit(main's return).
;
; At _start the kernel has left, on the user stack (System V i386 layout):
;   [esp]      argc
;   [esp+4]    argv[0] .. argv[argc-1]   (pointers into the stack)
;   [esp+4+4*argc]  NULL
; Every other register is undefined. The program's bss is already zero.
bits 32
section .text.entry
global _start
extern main, exit
_start:
    xor ebp, ebp            ; end of the frame-pointer chain (gdb's backtrace stops here)
    mov eax, [esp]          ; argc
    lea ecx, [esp + 4]      ; argv
    and esp, -16            ; the i386 ABI's stack alignment at a call
    sub esp, 8
    push ecx
    push eax
    call main
    mov [esp], eax
    call exit               ; never returns
.hang:
    jmp .hang
