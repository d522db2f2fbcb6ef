; tests_regs.asm: register canaries for the thread tests: the switch probe, canaried calls and spinners.
;
; C cannot keep a value in a chosen register across a call, so these helpers
; load distinct canaries into registers in assembly, immediately before a
; switch (or a call that switches), and check them immediately after.
; Contracts are in tests_regs.h.
bits 32
section .text

THREAD_SAVED_ESP equ 0          ; offsetof(struct thread, saved_esp) (thread.c asserts)

; struct switch_probe (tests_regs.h): byte offsets
P_A         equ 0               ; struct thread *a: the probe's own context
P_B         equ 4               ; struct thread *b: the partner context
P_B_ENTRY   equ 8               ; eax when the partner first ran (want: a)
P_A_RET1    equ 12              ; eax in A after its first switch returned (want: b)
P_A_REGS1   equ 16              ; ebx esi edi ebp in A after that (want: A canaries 1)
P_B_RET     equ 32              ; eax in the partner after its switch returned (want: a)
P_B_REGS    equ 36              ; ebx esi edi ebp in the partner then (want: B canaries)
P_A_RET2    equ 52              ; eax in A after its second switch returned (want: b)
P_A_REGS2   equ 56              ; ebx esi edi ebp in A then (want: A canaries 2)

; Canaries: distinct per register and per side; odd low bits, so a
; backtrace never follows one as a frame pointer.
CA1_EBX equ 0xA1000B01
CA1_ESI equ 0xA1000E05
CA1_EDI equ 0xA1000D09
CA1_EBP equ 0xA1000B0D
CA2_EBX equ 0xA2000B11
CA2_ESI equ 0xA2000E15
CA2_EDI equ 0xA2000D19
CA2_EBP equ 0xA2000B1D
CB_EBX  equ 0xB0000B21
CB_ESI  equ 0xB0000E25
CB_EDI  equ 0xB0000D29
CB_EBP  equ 0xB0000B2D

extern thread_switch

section .bss
probe_ptr: resd 1               ; the running probe (registers are all canaries)
global regs_spin_stop
regs_spin_stop: resd 1          ; non-zero: regs_canary_spin returns

section .text

; Store ebx esi edi ebp at [ecx + %1].
%macro SAVE_REGS 1
    mov [ecx + %1], ebx
    mov [ecx + %1 + 4], esi
    mov [ecx + %1 + 8], edi
    mov [ecx + %1 + 12], ebp
%endmacro

%macro LOAD_CANARIES 4
    mov ebx, %1
    mov esi, %2
    mov edi, %3
    mov ebp, %4
%endmacro

; void switch_probe_run(struct switch_probe *p): A -> B -> A -> B -> A.
global switch_probe_run
switch_probe_run:
    push ebp
    push ebx
    push esi
    push edi
    mov ecx, [esp + 20]
    mov [probe_ptr], ecx
    LOAD_CANARIES CA1_EBX, CA1_ESI, CA1_EDI, CA1_EBP
    mov eax, [ecx + P_A]        ; thread_switch(a, b): regparm(2), eax and edx
    mov edx, [ecx + P_B]
    call thread_switch          ; first run of the partner
    mov ecx, [probe_ptr]
    mov [ecx + P_A_RET1], eax
    SAVE_REGS P_A_REGS1
    LOAD_CANARIES CA2_EBX, CA2_ESI, CA2_EDI, CA2_EBP
    mov eax, [ecx + P_A]
    mov edx, [ecx + P_B]
    call thread_switch          ; resume the partner inside its own switch
    mov ecx, [probe_ptr]
    mov [ecx + P_A_RET2], eax
    SAVE_REGS P_A_REGS2
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

; The partner's first instruction, reached by thread_switch's `ret` exactly
; as a new thread reaches thread_start: eax = the thread that ran before.
global switch_probe_partner
switch_probe_partner:
    mov ecx, [probe_ptr]
    mov [ecx + P_B_ENTRY], eax
    LOAD_CANARIES CB_EBX, CB_ESI, CB_EDI, CB_EBP
    mov eax, [ecx + P_B]
    mov edx, [ecx + P_A]
    call thread_switch          ; back to A
    mov ecx, [probe_ptr]
    mov [ecx + P_B_RET], eax
    SAVE_REGS P_B_REGS
    mov eax, [ecx + P_B]
    mov edx, [ecx + P_A]
    call thread_switch          ; back to A for good: never resumed
    ud2

; Canaries for regs_canary_call and regs_canary_spin.
CC_EBX equ 0xC0000B31
CC_ESI equ 0xC0000E35
CC_EDI equ 0xC0000D39
CC_EBP equ 0xC0000B3D
CS_EAX equ 0x5A000A41
CS_ECX equ 0x5C000C45
CS_EDX equ 0x5D000D49

; Bit per register in the masks: eax 1, ecx 2, edx 4, ebx 8, esi 16, edi 32, ebp 64.
; uint32_t regs_canary_call(void (*fn)(void *), void *arg)
global regs_canary_call
regs_canary_call:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, [esp + 20]         ; fn
    mov edx, [esp + 24]         ; arg
    LOAD_CANARIES CC_EBX, CC_ESI, CC_EDI, CC_EBP
    push edx
    call eax
    add esp, 4
    xor eax, eax
    cmp ebx, CC_EBX
    je .ebx_ok
    or eax, 8
.ebx_ok:
    cmp esi, CC_ESI
    je .esi_ok
    or eax, 16
.esi_ok:
    cmp edi, CC_EDI
    je .edi_ok
    or eax, 32
.edi_ok:
    cmp ebp, CC_EBP
    je .ebp_ok
    or eax, 64
.ebp_ok:
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

; uint32_t regs_canary_spin(void): every general register but esp holds a
; canary while we spin until regs_spin_stop is set; returns the mask of the
; registers that changed (the spin ends at the first change).
global regs_canary_spin
regs_canary_spin:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, CS_EAX
    mov ecx, CS_ECX
    mov edx, CS_EDX
    LOAD_CANARIES CC_EBX, CC_ESI, CC_EDI, CC_EBP
.spin:
    cmp eax, CS_EAX
    jne .done
    cmp ecx, CS_ECX
    jne .done
    cmp edx, CS_EDX
    jne .done
    cmp ebx, CC_EBX
    jne .done
    cmp esi, CC_ESI
    jne .done
    cmp edi, CC_EDI
    jne .done
    cmp ebp, CC_EBP
    jne .done
    cmp dword [regs_spin_stop], 0
    je .spin
.done:
    pushad                      ; edi esi ebp esp ebx edx ecx eax, eax highest
    xor eax, eax
    cmp dword [esp + 28], CS_EAX
    je .a
    or eax, 1
.a: cmp dword [esp + 24], CS_ECX
    je .c
    or eax, 2
.c: cmp dword [esp + 20], CS_EDX
    je .d
    or eax, 4
.d: cmp dword [esp + 16], CC_EBX
    je .b
    or eax, 8
.b: cmp dword [esp + 4], CC_ESI
    je .s
    or eax, 16
.s: cmp dword [esp], CC_EDI
    je .i
    or eax, 32
.i: cmp dword [esp + 8], CC_EBP
    je .p
    or eax, 64
.p: add esp, 32
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
