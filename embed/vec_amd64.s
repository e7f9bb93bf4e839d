#include "textflag.h"

// EXP sets Z2 = e^Z1 for Z1 ≤ 0 lane by lane, as expNeg does (Cephes'
// expf: x = k·ln2 + r, a degree-6 polynomial for e^r, scaling by 2^k; 0
// below the smallest normal), with the constants in Z18..Z31. Clobbers
// Z1, Z3..Z7, K2.
#define EXP \
	VCMPPS       $13, Z31, Z1, K2 \
	VMAXPS       Z31, Z1, Z1 \
	VMULPS       Z21, Z1, Z3 \
	VSUBPS       Z22, Z3, Z3 \
	VCVTTPS2DQ   Z3, Z4 \
	VCVTDQ2PS    Z4, Z3 \
	VMOVAPS      Z1, Z5 \
	VFNMADD231PS Z23, Z3, Z5 \
	VFNMADD231PS Z24, Z3, Z5 \
	VMULPS       Z5, Z5, Z6 \
	VMOVAPS      Z25, Z7 \
	VFMADD213PS  Z26, Z5, Z7 \
	VFMADD213PS  Z27, Z5, Z7 \
	VFMADD213PS  Z28, Z5, Z7 \
	VFMADD213PS  Z29, Z5, Z7 \
	VFMADD213PS  Z30, Z5, Z7 \
	VFMADD213PS  Z5, Z6, Z7 \
	VADDPS       Z19, Z7, Z7 \
	VPADDD       Z18, Z4, Z4 \
	VPSLLD       $23, Z4, Z4 \
	VMULPS       Z4, Z7, Z2 \
	VMOVAPS.Z    Z2, K2, Z2

#define BCAST(v, z) MOVL v, AX; VPBROADCASTD AX, z

// func softmaxAVX512(s *float32, n int)
//
// softmax with AVX-512: three passes (max, exp and sum, scale) of 16
// lanes, the last n%16 elements under the mask K1.
TEXT ·softmaxAVX512(SB), NOSPLIT, $0-16
	MOVQ s+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	MOVQ CX, DX                 // n%16
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1                // the tail's lanes
	MOVQ BX, CX
	SHRQ $4, CX                 // whole chunks

	BCAST($0xff800000, Z0)      // -Inf
	MOVQ SI, DI
	MOVQ CX, BX
	TESTQ BX, BX
	JZ   maxtail

maxloop:
	VMAXPS (DI), Z0, Z0
	ADDQ   $64, DI
	DECQ   BX
	JNZ    maxloop

maxtail:
	TESTQ DX, DX
	JZ    maxdone
	VMAXPS (DI), Z0, K1, Z0

maxdone:
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VBROADCASTSS  X0, Z0

	BCAST($127, Z18)
	BCAST($0x3f800000, Z19)     // 1
	BCAST($0x3fb8aa3b, Z21)     // log2(e)
	BCAST($0x3f000000, Z22)     // 0.5
	BCAST($0x3f318000, Z23)     // 0.693359375
	BCAST($0xb95e8083, Z24)     // -2.12194440e-4
	BCAST($0x39506967, Z25)     // 1.9875691500e-4
	BCAST($0x3ab743ce, Z26)     // 1.3981999507e-3
	BCAST($0x3c088908, Z27)     // 8.3334519073e-3
	BCAST($0x3d2aa9c1, Z28)     // 4.1665795894e-2
	BCAST($0x3e2aaaaa, Z29)     // 1.6666665459e-1
	BCAST($0x3f000000, Z30)     // 5.0000001201e-1
	BCAST($0xc2aeac4f, Z31)     // -87.33654
	VPXORD Z20, Z20, Z20        // sum

	MOVQ SI, DI
	MOVQ CX, BX
	TESTQ BX, BX
	JZ   exptail

exploop:
	VMOVUPS (DI), Z1
	VSUBPS  Z0, Z1, Z1
	EXP
	VMOVUPS Z2, (DI)
	VADDPS  Z2, Z20, Z20
	ADDQ    $64, DI
	DECQ    BX
	JNZ     exploop

exptail:
	TESTQ DX, DX
	JZ    expdone
	VMOVUPS.Z (DI), K1, Z1
	VSUBPS    Z0, Z1, Z1
	EXP
	VMOVUPS   Z2, K1, (DI)
	VADDPS    Z2, Z20, K1, Z20

expdone:
	VEXTRACTF32X8 $1, Z20, Y1
	VADDPS        Y1, Y20, Y20
	VEXTRACTF32X4 $1, Y20, X1
	VADDPS        X1, X20, X20
	VPERMILPS     $0x4e, X20, X1
	VADDPS        X1, X20, X20
	VPERMILPS     $0xb1, X20, X1
	VADDPS        X1, X20, X20
	VDIVSS        X20, X19, X1  // 1/sum
	VBROADCASTSS  X1, Z1

	MOVQ SI, DI
	MOVQ CX, BX
	TESTQ BX, BX
	JZ   scaletail

scaleloop:
	VMULPS  (DI), Z1, Z2
	VMOVUPS Z2, (DI)
	ADDQ    $64, DI
	DECQ    BX
	JNZ     scaleloop

scaletail:
	TESTQ DX, DX
	JZ    done
	VMULPS.Z (DI), Z1, K1, Z2
	VMOVUPS  Z2, K1, (DI)

done:
	VZEROUPPER
	RET


// func layerNormAVX512(dst, src, scale, bias *float32, d int, eps float32)
//
// One row of layerNorm with AVX-512: d is a multiple of 16. Sums run in
// 16 lanes; 1/√(var+ε) is taken in float64 as in the portable code.
TEXT ·layerNormAVX512(SB), NOSPLIT, $0-44
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ scale+16(FP), R8
	MOVQ bias+24(FP), R9
	MOVQ d+32(FP), CX
	SHRQ $4, CX

	// Mean.
	VPXORD Z0, Z0, Z0
	MOVQ   SI, AX
	MOVQ   CX, BX

sumloop:
	VADDPS (AX), Z0, Z0
	ADDQ   $64, AX
	DECQ   BX
	JNZ    sumloop
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VADDPS        X1, X0, X0
	MOVQ          d+32(FP), AX
	VCVTSI2SSQ    AX, X2, X2     // d
	VDIVSS        X2, X0, X0     // mean
	VBROADCASTSS  X0, Z3

	// Variance.
	VPXORD Z0, Z0, Z0
	MOVQ   SI, AX
	MOVQ   CX, BX

sqloop:
	VSUBPS      (AX), Z3, Z1
	VFMADD231PS Z1, Z1, Z0
	ADDQ        $64, AX
	DECQ        BX
	JNZ         sqloop
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VADDPS        X1, X0, X0
	VDIVSS        X2, X0, X0     // var
	VADDSS        eps+40(FP), X0, X0
	VCVTSS2SD     X0, X0, X0
	VSQRTSD       X0, X0, X0
	MOVQ          $0x3ff0000000000000, AX
	MOVQ          AX, X1
	VDIVSD        X0, X1, X0     // 1/√(var+ε)
	VCVTSD2SS     X0, X0, X0
	VBROADCASTSS  X0, Z4

	// dst = scale·rs·(x - mean) + bias
	XORQ AX, AX

outloop:
	VMULPS      (R8)(AX*1), Z4, Z5
	VMOVUPS     (SI)(AX*1), Z1
	VSUBPS      Z3, Z1, Z1
	VMOVUPS     (R9)(AX*1), Z6
	VFMADD231PS Z1, Z5, Z6
	VMOVUPS     Z6, (DI)(AX*1)
	ADDQ        $64, AX
	DECQ        CX
	JNZ         outloop

	VZEROUPPER
	RET
