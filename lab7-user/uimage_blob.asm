; uimage_blob.asm: embed the user-program image (tools/uimage.py, built by lab7-user/lab.mk) in the kernel.
; uimage_start..uimage_end are its bytes (lab7-user/uimage.c reads them).
section .rodata
align 16
global uimage_start, uimage_end
uimage_start:
    incbin "build/lab7/user/uimage.img"
uimage_end:
