; stage2.asm: second stage. Collects the E820 map, enables A20, reads the
; command line and the kernel, enters protected mode and jumps to the kernel.
;
; Entered from stage 1 in real mode at STAGE2_ADDR with DL = boot drive.
; Leaves: protected mode, flat 4 GiB code (0x08) and data (0x10) segments,
; interrupts off, EBX = address of struct boot_info, kernel at 1 MiB.
%include "layout.inc"

bits 16
org STAGE2_ADDR

start:
    jmp short main
    nop
    nop
stage2_magic:   dd STAGE2_MAGIC    ; offset 4: stage 1 checks this
kernel_sectors: dd 0               ; offset 8: patched by tools/mkimage.py

main:
    mov [boot_drive], dl
    call bootinfo_clear
    movzx eax, byte [boot_drive]
    mov [BOOTINFO_ADDR + BI_BOOT_DRIVE], eax
    mov dword [BOOTINFO_ADDR + BI_MAGIC], BOOTINFO_MAGIC
    rdtsc                           ; instructions so far under Bochs
    mov [BOOTINFO_ADDR + BI_LOADER_TSC], eax
    mov [BOOTINFO_ADDR + BI_LOADER_TSC + 4], edx

    call e820_collect
    call a20_enable
    call cmdline_read
    call kernel_read
    jmp enter_protected_mode

; ---------------------------------------------------------------------------
; bootinfo_clear: zero the struct boot_info area.
bootinfo_clear:
    mov di, BOOTINFO_ADDR
    mov cx, BOOTINFO_SIZE
    xor al, al
    cld
    rep stosb
    ret

; ---------------------------------------------------------------------------
; e820_collect: ask the BIOS for the memory map (INT 15h, EAX=E820h) and store
; up to E820_MAX entries in boot_info.
SMAP equ 0x534D4150                 ; "SMAP"

e820_collect:
    mov di, BOOTINFO_ADDR + BI_E820
    xor ebx, ebx                    ; continuation value: 0 = first call
    xor bp, bp                      ; entries stored
.next:
    mov eax, 0xE820
    mov edx, SMAP
    mov ecx, E820_ENTRY_SIZE
    mov dword [di + 20], 1          ; ACPI "valid" bit, for 20-byte BIOSes
    int 0x15
    jc .end                         ; carry: end of list (or no support)
    cmp eax, SMAP
    jne .end
    mov eax, [di + 8]               ; skip zero-length entries
    or eax, [di + 12]
    jz .skip
    inc bp
    add di, E820_ENTRY_SIZE
    cmp bp, E820_MAX
    jae .end
.skip:
    test ebx, ebx
    jnz .next
.end:
    test bp, bp
    jz .fail
    movzx eax, bp
    mov [BOOTINFO_ADDR + BI_E820_COUNT], eax
    ret
.fail:
    mov si, msg_no_e820
    jmp boot_fail

; ---------------------------------------------------------------------------
; a20_check: ZF=0 if the A20 line is enabled. Writes two bytes 1 MiB apart
; and sees whether they alias (0000:0500 and FFFF:0510 are the same byte
; when A20 is off).
a20_check:
    push ds
    push es
    xor ax, ax
    mov es, ax
    not ax
    mov ds, ax                      ; DS = 0xFFFF
    mov al, [es:0x0500]
    push ax
    mov byte [es:0x0500], 0x00
    mov byte [ds:0x0510], 0xFF
    cmp byte [es:0x0500], 0xFF      ; ZF=1: aliased, A20 off
    pop ax
    mov [es:0x0500], al
    pop es
    pop ds
    ret

; a20_enable: enable A20 with the BIOS, then the "fast A20" port; verify.
SYSCTRL_PORT_A equ 0x92             ; bit 1: A20 gate, bit 0: fast reset

a20_enable:
    call a20_check
    jnz .ok
    mov ax, 0x2401                  ; BIOS: enable A20 gate
    int 0x15
    call a20_check
    jnz .ok
    in al, SYSCTRL_PORT_A
    or al, 0x02
    and al, 0xFE                    ; never write the reset bit
    out SYSCTRL_PORT_A, al
    call a20_check
    jnz .ok
    mov si, msg_a20
    jmp boot_fail
.ok:
    ret

; ---------------------------------------------------------------------------
; disk_read: read CX sectors from LBA EAX to segment BX offset 0.
disk_read:
    mov [dap.count], cx
    mov [dap.segment], bx
    mov [dap.lba], eax
    mov si, dap
    mov ah, 0x42
    mov dl, [boot_drive]
    int 0x13
    jc .fail
    ret
.fail:
    mov si, msg_read
    jmp boot_fail

; cmdline_read: the command line sector goes straight into boot_info.
cmdline_read:
    mov eax, CMDLINE_LBA
    mov cx, 1
    mov bx, (BOOTINFO_ADDR + BI_CMDLINE) >> 4
    call disk_read
    mov byte [BOOTINFO_ADDR + BI_CMDLINE + 511], 0
    ret

; kernel_read: read kernel_sectors sectors to KERNEL_ADDR (1 MiB). Real mode
; cannot address 1 MiB, so each chunk is read to the buffer at LOAD_SEGMENT:0
; and then the BIOS copies it up to KERNEL_ADDR + offset (copy_up).
CHUNK equ 64                        ; 32 KiB per BIOS call

kernel_read:
    mov eax, [kernel_sectors]
    test eax, eax
    jz .empty
    cmp eax, KERNEL_MAX_SECTORS
    ja .too_large
    mov [BOOTINFO_ADDR + BI_KERNEL_SECTORS], eax
    mov [remaining], eax
    mov dword [next_lba], KERNEL_LBA
    mov dword [next_dest], KERNEL_ADDR
.loop:
    mov cx, CHUNK
    cmp dword [remaining], CHUNK
    jae .read
    mov cx, [remaining]
.read:
    push cx
    mov eax, [next_lba]
    mov bx, LOAD_SEGMENT
    call disk_read
    pop cx
    call copy_up
    movzx ecx, cx
    add [next_lba], ecx
    sub [remaining], ecx
    shl ecx, 9                      ; sectors -> bytes
    add [next_dest], ecx
    cmp dword [remaining], 0
    jne .loop
    ret
.empty:
    mov si, msg_no_kernel
    jmp boot_fail
.too_large:
    mov si, msg_too_large
    jmp boot_fail

; copy_up: copy CX sectors from LOAD_SEGMENT:0 to physical address [next_dest]
; with INT 15h AH=87h ("move extended memory block"): the BIOS enters
; protected mode, copies with the source and destination descriptors of
; move_gdt, and comes back. Keeps CX.
copy_up:
    push cx
    mov eax, [next_dest]
    mov [move_gdt.dest_low], ax     ; base bits 0-15
    shr eax, 16
    mov [move_gdt.dest_mid], al     ; base bits 16-23
    mov [move_gdt.dest_high], ah    ; base bits 24-31
    shl cx, 8                       ; sectors -> 16-bit words (512 / 2)
    push es
    push ds
    pop es                          ; ES:SI = move_gdt
    mov si, move_gdt
    mov ah, 0x87
    int 0x15
    pop es
    pop cx
    jc .fail
    ret
.fail:
    mov si, msg_copy
    jmp boot_fail

; ---------------------------------------------------------------------------
enter_protected_mode:
    cli
    lgdt [gdt_descriptor]
    mov eax, cr0
    or eax, 1                       ; CR0.PE
    mov cr0, eax
    jmp CODE_SEL:pm_entry           ; far jump loads CS, flushes the prefetch

bits 32
pm_entry:
    mov ax, DATA_SEL
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK_TOP
    mov ebx, BOOTINFO_ADDR
    mov eax, KERNEL_ADDR
    jmp eax

bits 16
%include "print16.inc"

; ---------------------------------------------------------------------------
; Flat GDT: null, code 0-4 GiB (ring 0), data 0-4 GiB (ring 0).
CODE_SEL equ 0x08
DATA_SEL equ 0x10

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; code: base 0, limit 4 GiB, exec/read
    dq 0x00CF92000000FFFF           ; data: base 0, limit 4 GiB, read/write
gdt_descriptor:
    dw gdt_descriptor - gdt - 1
    dd gdt

; Descriptor table for INT 15h AH=87h (copy_up): two unused entries, the
; source (the read buffer) and the destination (patched per chunk), then two
; the BIOS fills in for itself. Each: limit 64 KiB, data read/write (0x93).
align 8
move_gdt:
    dq 0, 0
    dw 0xFFFF, (LOAD_SEGMENT * 16) & 0xFFFF
    db (LOAD_SEGMENT * 16) >> 16, 0x93, 0, 0
    dw 0xFFFF
.dest_low:  dw 0
.dest_mid:  db 0
    db 0x93, 0
.dest_high: db 0
    dq 0, 0

align 4
dap:
    db 16, 0
.count:   dw 0
.offset:  dw 0
.segment: dw 0
.lba:     dq 0

boot_drive: db 0
remaining:  dd 0
next_lba:   dd 0
next_dest:  dd 0

msg_no_e820:   db "no E820 memory map from the BIOS", 13, 10, 0
msg_a20:       db "could not enable the A20 line", 13, 10, 0
msg_read:      db "disk read failed", 13, 10, 0
msg_no_kernel: db "no kernel on the boot disk", 13, 10, 0
msg_too_large: db "kernel too large (over 1 MiB, KERNEL_MAX_SECTORS)", 13, 10, 0
msg_copy:      db "copying the kernel above 1 MiB failed (INT 15h AH=87h)", 13, 10, 0

%if ($ - $$) > STAGE2_SECTORS * 512
%error "stage 2 is larger than STAGE2_SECTORS"
%endif
times STAGE2_SECTORS * 512 - ($ - $$) db 0
