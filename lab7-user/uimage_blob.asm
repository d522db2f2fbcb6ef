; uimage_blob.asm: embed the user-program image (tools/uimage.py --lz, built by lab7-user/lab.mk) in the kernel.
; uimage_lz_start..uimage_lz_end: the compressed image; uimage_raw: the .bss buffer
; (uimage_raw_capacity bytes) lab7-user/uimage.c unpacks it into.
%include "build/lab7/user/uimage.inc"     ; %define UIMAGE_RAW_BYTES
section .rodata
align 16
global uimage_lz_start, uimage_lz_end, uimage_raw_capacity
uimage_raw_capacity:
    dd UIMAGE_RAW_BYTES
align 16
uimage_lz_start:
    incbin "build/lab7/user/uimage.lz"
uimage_lz_end:

section .bss
alignb 16
global uimage_raw
uimage_raw:
    resb UIMAGE_RAW_BYTES
