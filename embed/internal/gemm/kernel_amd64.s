#include "textflag.h"

// func kernel6x16(k int, a *float32, lda int, b *float32, c *float32, ldc int, accumulate bool)
//
// C[0:6, 0:16] = A[0:6, 0:k] × B (+ C if accumulate), B a packed k×16 panel.
// Y0..Y11 hold the 6×16 accumulators (two YMM per row), Y12/Y13 one row of
// the panel, Y14 the broadcast element of A.
TEXT ·kernel6x16(SB), NOSPLIT, $0-49
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), BX
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R10

	SHLQ $2, R8                // lda in bytes
	LEAQ (R8)(R8*2), R9        // 3*lda
	LEAQ (SI)(R9*1), DI        // row 3 of A
	SHLQ $2, R10               // ldc in bytes

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	TESTQ CX, CX
	JLE   store

loop:
	VMOVUPS      (BX), Y12
	VMOVUPS      32(BX), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VFMADD231PS  Y13, Y14, Y3
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (DI), Y14
	VFMADD231PS  Y12, Y14, Y6
	VFMADD231PS  Y13, Y14, Y7
	VBROADCASTSS (DI)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (DI)(R8*2), Y14
	VFMADD231PS  Y12, Y14, Y10
	VFMADD231PS  Y13, Y14, Y11
	ADDQ         $64, BX
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNZ          loop

store:
	LEAQ (R10)(R10*2), R11     // 3*ldc
	LEAQ (DX)(R11*1), R11      // row 3 of C
	MOVBLZX accumulate+48(FP), AX
	TESTQ AX, AX
	JZ    write

	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS (DX)(R10*1), Y2, Y2
	VADDPS 32(DX)(R10*1), Y3, Y3
	VADDPS (DX)(R10*2), Y4, Y4
	VADDPS 32(DX)(R10*2), Y5, Y5
	VADDPS (R11), Y6, Y6
	VADDPS 32(R11), Y7, Y7
	VADDPS (R11)(R10*1), Y8, Y8
	VADDPS 32(R11)(R10*1), Y9, Y9
	VADDPS (R11)(R10*2), Y10, Y10
	VADDPS 32(R11)(R10*2), Y11, Y11

write:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R10*1)
	VMOVUPS Y3, 32(DX)(R10*1)
	VMOVUPS Y4, (DX)(R10*2)
	VMOVUPS Y5, 32(DX)(R10*2)
	VMOVUPS Y6, (R11)
	VMOVUPS Y7, 32(R11)
	VMOVUPS Y8, (R11)(R10*1)
	VMOVUPS Y9, 32(R11)(R10*1)
	VMOVUPS Y10, (R11)(R10*2)
	VMOVUPS Y11, 32(R11)(R10*2)
	VZEROUPPER
	RET
