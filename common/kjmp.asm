; kjmp.asm: ksetjmp/klongjmp, so a test can survive an exception it expects.
;
; kjmp_buf layout (common/ktest.h): ebx, esi, edi, ebp, esp, eip, eflags.
bits 32
section .text

; int ksetjmp(kjmp_buf buf): save the callee-saved registers, the caller's
; stack pointer, return address and flags; return 0.
global ksetjmp
ksetjmp:
    mov eax, [esp + 4]          ; buf
    mov [eax + 0], ebx
    mov [eax + 4], esi
    mov [eax + 8], edi
    mov [eax + 12], ebp
    lea ecx, [esp + 4]          ; esp as it will be after our ret
    mov [eax + 16], ecx
    mov ecx, [esp]              ; return address
    mov [eax + 20], ecx
    pushfd
    pop ecx
    mov [eax + 24], ecx         ; flags, including the interrupt flag
    xor eax, eax
    ret

; void klongjmp(kjmp_buf buf, int val): resume at the ksetjmp that filled buf,
; which now returns val (1 if val is 0). Restores the saved interrupt flag.
global klongjmp
klongjmp:
    mov edx, [esp + 4]          ; buf
    mov eax, [esp + 8]          ; val
    test eax, eax
    jnz .nonzero
    inc eax
.nonzero:
    mov ebx, [edx + 0]
    mov esi, [edx + 4]
    mov edi, [edx + 8]
    mov ebp, [edx + 12]
    mov esp, [edx + 16]
    push dword [edx + 24]
    popfd
    jmp [edx + 20]
