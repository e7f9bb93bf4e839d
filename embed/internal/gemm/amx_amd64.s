#include "textflag.h"

// The AMX instructions are not known to the Go assembler, so they are
// spelled out as bytes, each with its Intel-syntax form; the register
// choices below are fixed by those encodings.

// LDTILECFG [rax]
#define LDTILECFG_AX BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00
// TILERELEASE
#define TILERELEASE BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0
// TILEZERO tmm0, TILEZERO tmm1
#define TILEZERO_T0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0
#define TILEZERO_T1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8
// TILELOADD tmm2, [rsi+r9*1]; TILELOADD tmm3, [rsi+r9*1+1024]
#define LOAD_T2_SI BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x0e
#define LOAD_T3_SI BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x9c; BYTE $0x0e; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00
// TILELOADD tmm4, [rbx+r9*1]; TILELOADD tmm5, [rbx+r9*1+1024]
#define LOAD_T4_BX BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x0b
#define LOAD_T5_BX BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0xac; BYTE $0x0b; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00
// TILELOADD tmm6, [rdx+r9*1]; TILELOADD tmm7, [rdx+r9*1+1024]
#define LOAD_T6_DX BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x0a
#define LOAD_T7_DX BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0xbc; BYTE $0x0a; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00
// TDPBF16PS tmm0, tmm2, tmm4 / tmm0, tmm2, tmm5 / tmm0, tmm3, tmm4
#define DP_0_2_4 BYTE $0xc4; BYTE $0xe2; BYTE $0x5a; BYTE $0x5c; BYTE $0xc2
#define DP_0_2_5 BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xc2
#define DP_0_3_4 BYTE $0xc4; BYTE $0xe2; BYTE $0x5a; BYTE $0x5c; BYTE $0xc3
// TDPBF16PS tmm1, tmm2, tmm6 / tmm1, tmm2, tmm7 / tmm1, tmm3, tmm6
#define DP_1_2_6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xca
#define DP_1_2_7 BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xca
#define DP_1_3_6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xcb
// TILELOADD tmm0, [r10+rcx*1]; TILELOADD tmm1, [r10+rcx*1+64]
#define LOADC_T0 BYTE $0xc4; BYTE $0xc2; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x0a
#define LOADC_T1 BYTE $0xc4; BYTE $0xc2; BYTE $0x7b; BYTE $0x4b; BYTE $0x4c; BYTE $0x0a; BYTE $0x40
// TILESTORED [r10+rcx*1], tmm0; TILESTORED [r10+rcx*1+64], tmm1
#define STORE_T0 BYTE $0xc4; BYTE $0xc2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x0a
#define STORE_T1 BYTE $0xc4; BYTE $0xc2; BYTE $0x7a; BYTE $0x4b; BYTE $0x4c; BYTE $0x0a; BYTE $0x40

// func amxKernel(kb, ch int, a *uint16, b *uint16, bstride int, rows int, c *float32, ldc int, bias *float32, mode int, cfg *byte, tmp *float32, pf *uint16, pfn int)
//
// C[0:rows, 0:32] = (Ahi+Alo)·(Bhi+Blo) without the Alo·Blo term, then
// mode's extras. a is A split by splitRow: for each 16 rows, kb pairs of
// 16×32 tiles (Ahi, Alo), rows past rows zero. b points at two column
// blocks bstride bytes apart, each kb pairs of 16×32 tiles (Bhi, Blo) with
// pairs of K rows interleaved as TDPBF16PS wants. All tiles are 1 KiB
// contiguous. Tiles: tmm0/tmm1 accumulate columns 0-15/16-31, tmm2/tmm3
// hold Ahi/Alo, tmm4/tmm5 Bhi/Blo of the first block, tmm6/tmm7 of the
// second.
//
// K is walked in chunks of ch tile pairs (ch divides kb), each chunk over
// all the rows, so that the chunk of B (ch·4 KiB) stays in L1 while the
// rows of A stream past; the partial sums wait in tmp (rows rounded up to
// 16, × 32 floats). At the end the bias, C and clamp are applied from tmp
// with AVX-512 and only the rows asked for are written.
//
// Meanwhile the pfn bytes at pf (the next call's B) are prefetched into
// L2, 768 bytes per step, so that they do not come from memory at the
// pace of the kernel.
TEXT ·amxKernel(SB), NOSPLIT, $0-112
	MOVQ cfg+80(FP), AX
	LDTILECFG_AX
	MOVQ $64, R9
	MOVQ pf+96(FP), R8
	MOVQ R8, R11
	ADDQ pfn+104(FP), R11
	XORQ R12, R12              // chunk offset in bytes

chunk:
	MOVQ a+16(FP), SI
	ADDQ R12, SI
	MOVQ tmp+88(FP), R10
	MOVQ rows+40(FP), R13

rowblock:
	TESTQ R12, R12
	JNZ   loadc
	TILEZERO_T0
	TILEZERO_T1
	JMP   kstart

loadc:
	MOVQ $128, CX
	LOADC_T0
	LOADC_T1

kstart:
	MOVQ b+24(FP), BX
	ADDQ R12, BX
	MOVQ BX, DX
	ADDQ bstride+32(FP), DX
	MOVQ SI, DI
	MOVQ ch+8(FP), CX

kloop:
	LOAD_T2_SI
	LOAD_T3_SI
	LOAD_T4_BX
	LOAD_T5_BX
	DP_0_2_5
	DP_0_3_4
	DP_0_2_4
	LOAD_T6_DX
	LOAD_T7_DX
	DP_1_2_7
	DP_1_3_6
	DP_1_2_6
	CMPQ R8, R11
	JAE  nopf
	PREFETCHT1 0(R8)
	PREFETCHT1 64(R8)
	PREFETCHT1 128(R8)
	PREFETCHT1 192(R8)
	PREFETCHT1 256(R8)
	PREFETCHT1 320(R8)
	PREFETCHT1 384(R8)
	PREFETCHT1 448(R8)
	PREFETCHT1 512(R8)
	PREFETCHT1 576(R8)
	PREFETCHT1 640(R8)
	PREFETCHT1 704(R8)
	ADDQ $768, R8

nopf:
	ADDQ $2048, SI
	ADDQ $2048, BX
	ADDQ $2048, DX
	DECQ CX
	JNZ  kloop

	MOVQ $128, CX
	STORE_T0
	STORE_T1

	// Next 16 rows: kb tile pairs further on in A, 2 KiB in tmp.
	MOVQ kb+0(FP), AX
	SHLQ $11, AX
	LEAQ (DI)(AX*1), SI
	ADDQ $2048, R10
	SUBQ $16, R13
	JGT  rowblock

	// Next chunk of K.
	MOVQ ch+8(FP), AX
	SHLQ $11, AX
	ADDQ AX, R12
	MOVQ kb+0(FP), AX
	SHLQ $11, AX
	CMPQ R12, AX
	JLT  chunk

	TILERELEASE

	// Bias in Z24/Z25 (zero without one), zero in Z26 for the clamp.
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	MOVQ   mode+72(FP), AX
	TESTQ  $2, AX
	JZ     nobias
	MOVQ   bias+64(FP), BX
	VMOVUPS (BX), Z24
	VMOVUPS 64(BX), Z25

nobias:
	MOVQ tmp+88(FP), R10
	MOVQ c+48(FP), R11
	MOVQ rows+40(FP), CX
	MOVQ ldc+56(FP), DI
	SHLQ $2, DI

erow:
	VMOVUPS (R10), Z0
	VMOVUPS 64(R10), Z1
	VADDPS  Z24, Z0, Z0
	VADDPS  Z25, Z1, Z1
	TESTQ   $1, AX
	JZ      eclamp
	VADDPS  (R11), Z0, Z0
	VADDPS  64(R11), Z1, Z1

eclamp:
	TESTQ   $4, AX
	JZ      estore
	VMAXPS  Z26, Z0, Z0
	VMAXPS  Z26, Z1, Z1

estore:
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    $128, R10
	ADDQ    DI, R11
	DECQ    CX
	JNZ     erow

	VZEROUPPER
	RET

// func splitRow(n int, src *float32, dst *uint16)
//
// Splits n floats (a multiple of 32) into bfloat16 hi = rne(x) and
// lo = rne(x - hi), the integer way (VCVTNEPS2BF16 is not known to the
// Go assembler); x is finite. Each 32 floats make one tile row: hi at dst,
// lo 1 KiB later, and the next 32 go 2 KiB further.
TEXT ·splitRow(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	MOVL $1, AX
	VPBROADCASTD AX, Z28
	MOVL $0x7fff, AX
	VPBROADCASTD AX, Z29
	MOVL $0xffff0000, AX
	VPBROADCASTD AX, Z30
	SHRQ $5, CX
	JZ   splitdone

splitloop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z4
	// hi = (x + 0x7fff + (x>>16 & 1)) & 0xffff0000
	VPSRLD  $16, Z0, Z1
	VPSRLD  $16, Z4, Z5
	VPANDD  Z28, Z1, Z1
	VPANDD  Z28, Z5, Z5
	VPADDD  Z29, Z1, Z1
	VPADDD  Z29, Z5, Z5
	VPADDD  Z0, Z1, Z1
	VPADDD  Z4, Z5, Z5
	VPANDD  Z30, Z1, Z1
	VPANDD  Z30, Z5, Z5
	// lo the same way from x - hi, which is exact.
	VSUBPS  Z1, Z0, Z2
	VSUBPS  Z5, Z4, Z6
	VPSRLD  $16, Z2, Z3
	VPSRLD  $16, Z6, Z7
	VPANDD  Z28, Z3, Z3
	VPANDD  Z28, Z7, Z7
	VPADDD  Z29, Z3, Z3
	VPADDD  Z29, Z7, Z7
	VPADDD  Z2, Z3, Z3
	VPADDD  Z6, Z7, Z7
	VPSRLD  $16, Z1, Z1
	VPSRLD  $16, Z5, Z5
	VPSRLD  $16, Z3, Z3
	VPSRLD  $16, Z7, Z7
	VPMOVDW Z1, (DI)
	VPMOVDW Z5, 32(DI)
	VPMOVDW Z3, 1024(DI)
	VPMOVDW Z7, 1056(DI)
	ADDQ    $128, SI
	ADDQ    $2048, DI
	DECQ    CX
	JNZ     splitloop

splitdone:
	VZEROUPPER
	RET
