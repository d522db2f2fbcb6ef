; loader_test_kernel.asm: a kernel for tools/test_loader.py that checks the boot
; loader put every sector of it in place above 1 MiB.
;
; Only sector 0 is code; test_loader.py fills every later sector I with the
; dwords LT_PATTERN | I << 8 | J (J = 0..127, the dword's index in the sector),
; so a chunk copied to the wrong place, twice, or not at all is found. Prints
; the verdict on port 0xE9 and powers off QEMU and Bochs.
%include "layout.inc"

bits 32
org KERNEL_ADDR

LT_PATTERN     equ 0x5A000000
DWORDS_PER_SECTOR equ 512 / 4
E9_PORT        equ 0xE9
QEMU_EXIT_PORT equ 0xF4     ; -device isa-debug-exit,iobase=0xf4
BOCHS_SHUTDOWN_PORT equ 0x8900

start:
    cmp dword [ebx + BI_MAGIC], BOOTINFO_MAGIC
    jne .no_bootinfo
    mov esi, KERNEL_ADDR + 512
    mov edx, 1                      ; sector index
.sector:
    cmp edx, [ebx + BI_KERNEL_SECTORS]
    jae .ok
    xor edi, edi                    ; dword index in the sector
.dword:
    mov eax, edx
    shl eax, 8
    or eax, edi
    or eax, LT_PATTERN
    cmp eax, [esi]
    jne .bad
    add esi, 4
    inc edi
    cmp edi, DWORDS_PER_SECTOR
    jb .dword
    inc edx
    jmp .sector
.ok:
    mov esi, msg_ok
    call print
    mov eax, [ebx + BI_KERNEL_SECTORS]
    jmp .report
.bad:
    mov esi, msg_bad
    call print
    mov eax, edx
    jmp .report
.no_bootinfo:
    mov esi, msg_no_bootinfo
    call print
    xor eax, eax
.report:
    call print_hex
    mov esi, msg_end
    call print
    mov al, 0
    out QEMU_EXIT_PORT, al
    mov esi, msg_shutdown
    mov dx, BOCHS_SHUTDOWN_PORT
.shutdown:
    lodsb
    test al, al
    jz .halt
    out dx, al
    jmp .shutdown
.halt:
    cli
    hlt
    jmp .halt

; print: write the NUL-terminated string at ESI to port 0xE9.
print:
    lodsb
    test al, al
    jz .done
    out E9_PORT, al
    jmp print
.done:
    ret

; print_hex: write EAX as 8 hex digits to port 0xE9.
print_hex:
    mov ecx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out E9_PORT, al
    pop eax
    loop .digit
    ret

msg_ok:          db "loader-test: every sector in place, sectors 0x", 0
msg_bad:         db "loader-test: wrong contents in sector 0x", 0
msg_no_bootinfo: db "loader-test: no boot_info magic at EBX, value 0x", 0
msg_end:         db 10, 0
msg_shutdown:    db "Shutdown", 0

%if ($ - $$) > 512
%error "the loader test kernel's code must fit in sector 0"
%endif
times 512 - ($ - $$) db 0
