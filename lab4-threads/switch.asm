; switch.asm: the context switch, a new thread's first instructions, and the stub that ends a faulting thread.
;
; struct thread *thread_switch(struct thread *cur, struct thread *next)
;     CUR arrives in eax, NEXT in edx (regparm(2), see thread.h)
;
; Called with interrupts off by the scheduler. thread.h declares it
; regparm(2): GCC passes its two arguments in eax and edx instead of on the
; stack (as Linux on i386 passes every argument), which saves the switch
; four instructions. The C compiler already keeps eax, ecx and edx
; (caller-saved) itself around the call, and the return address is on the
; stack, so a thread's whole context is: ebx, esi, edi, ebp (callee-saved),
; plus esp. We push them on CUR's stack, store esp in cur->saved_esp, load
; next->saved_esp, pop NEXT's registers and `ret` on NEXT's stack: into
; wherever NEXT called thread_switch (or, the first time, into thread_start
; below).
;
;   CUR's stack, just before  mov [eax], esp         NEXT's stack, before the pops
;
;   | ...caller's frame... |                         | ...                  |
;   | return address       |  [esp] at entry         | return address       |
;   | ebp                  |                         | ebp                  |
;   | ebx                  |                         | ebx                  |
;   | esi                  |                         | esi                  |
;   | edi                  |  <- esp, saved into     | edi                  | <- next->saved_esp
;                               cur->saved_esp
;
; A new thread's stack (thread.c, thread_build_first_frame) looks the same,
; with thread_start as the "return address" and zeros for the registers:
;
;   stack_top -> | 0            |  return address of thread_start's frame (ends backtraces)
;                | thread_start |  popped by thread_switch's ret
;                | 0 (ebp)      |
;                | 0 (ebx)      |
;                | 0 (esi)      |
;                | 0 (edi)      |  <- saved_esp
;
; The return value goes in eax, and eax already holds CUR: nothing below
; changes it, so when `ret` lands on NEXT's stack, eax still names the
; thread that just stopped, which is what the code running after the switch
; needs (to free it if it was a zombie).
bits 32
section .text

THREAD_SAVED_ESP equ 0          ; offsetof(struct thread, saved_esp) (thread.c asserts)
THREAD_STACK_TOP equ 4          ; offsetof(struct thread, stack_top)

extern thread_first_run
extern thread_start_missing
extern thread_switch_missing
extern thread_abort
extern thread_running

global thread_switch
thread_switch:
    ; LAB 4: TODO cur is in eax, next in edx: push ebp, ebx, esi, edi, save
    ; esp into cur->saved_esp, load esp from next->saved_esp, pop the four
    ; registers in reverse order and ret; eax (cur) is the return value
    ; (11 instructions).
    ; LAB 4: BEGIN SOLUTION
    push ebp                    ; callee-saved registers on CUR's stack
    push ebx
    push esi
    push edi
    mov [eax + THREAD_SAVED_ESP], esp   ; cur->saved_esp = esp
    mov esp, [edx + THREAD_SAVED_ESP]   ; esp = next->saved_esp: now on NEXT's stack
    pop edi                     ; NEXT's registers, in reverse order
    pop esi
    pop ebx
    pop ebp
    ret                         ; to where NEXT called thread_switch (or thread_start),
                                ; eax = cur: the thread that stopped
    ; LAB 4: END SOLUTION
    call thread_switch_missing  ; not written yet: a panic naming step 2
    ud2                         ; not reached

; A new thread's first instructions: thread_switch's ret lands here with
; eax = the thread that ran before. thread_first_run(prev) never returns.
global thread_start
thread_start:
    ; LAB 4: TODO call thread_first_run(prev): PREV is in eax (what
    ; thread_switch returned), the C argument goes on the stack. It never returns.
    ; LAB 4: BEGIN SOLUTION full
    push eax                    ; thread_first_run(prev)
    call thread_first_run
    ; LAB 4: END SOLUTION
    call thread_start_missing   ; a panic naming the step (not reached once written)
    ud2                         ; not reached

; Ends the running thread after a fault that left its stack unusable (a
; stack overflow into the guard page). thread_fault.c points the faulting
; context's EIP here, with interrupts off; ESP may be anywhere, so we first
; move to the top of the thread's own stack (its frames are dead anyway),
; then call thread_abort(thread), which never returns.
global thread_abort_entry
thread_abort_entry:
    mov eax, [thread_running]
    mov esp, [eax + THREAD_STACK_TOP]
    xor ebp, ebp                ; end of the frame-pointer chain
    push eax
    call thread_abort
    ud2                         ; not reached
