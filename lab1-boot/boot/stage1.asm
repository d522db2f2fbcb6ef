; stage1.asm: the boot sector. Loads stage 2 from the boot disk and jumps to it.
;
; The BIOS loads this sector at 0x7C00 and jumps here in real mode with the
; boot drive number in DL. We use the INT 13h extensions (LBA reads).
%include "layout.inc"

bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, STACK_TOP
    sti
    mov [boot_drive], dl
    call serial_init16

    ; Does the BIOS support INT 13h extensions (function 42h)?
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [boot_drive]
    int 0x13
    jc .no_ext
    cmp bx, 0xAA55
    jne .no_ext

    ; Read stage 2 with one extended read.
    mov si, dap
    mov ah, 0x42
    mov dl, [boot_drive]
    int 0x13
    jc .read_error

    cmp dword [STAGE2_ADDR + 4], STAGE2_MAGIC
    jne .bad_stage2
    mov dl, [boot_drive]
    jmp 0:STAGE2_ADDR

.no_ext:
    mov si, msg_no_ext
    jmp boot_fail
.read_error:
    mov si, msg_read
    jmp boot_fail
.bad_stage2:
    mov si, msg_stage2
    jmp boot_fail

%include "print16.inc"

; Disk address packet for INT 13h AH=42h.
dap:
    db 16, 0                    ; size of packet, reserved
    dw STAGE2_SECTORS           ; sectors to read
    dw STAGE2_ADDR, 0           ; offset, segment of the buffer
    dq STAGE2_LBA               ; first sector

boot_drive: db 0
msg_no_ext: db "no INT 13h extensions", 13, 10, 0
msg_read:   db "disk read failed (stage 2)", 13, 10, 0
msg_stage2: db "stage 2 missing", 13, 10, 0

times 510 - ($ - $$) db 0
dw 0xAA55
