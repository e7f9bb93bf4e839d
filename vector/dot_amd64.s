#include "textflag.h"

// func dotsAVX2(q, data *int8, dims, count int, out *int32)
//
// For each of count rows of dims int8s at data: sign-extend 16 bytes of the
// query and the row to int16 (VPMOVSXBW), multiply and add pairs into
// int32 (VPMADDWD), accumulate in two registers, then sum the lanes.
TEXT ·dotsAVX2(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ data+8(FP), DI
	MOVQ dims+16(FP), DX
	MOVQ count+24(FP), CX
	MOVQ out+32(FP), R8
	TESTQ CX, CX
	JZ   done

row:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	MOVQ  SI, R9
	MOVQ  DX, R10

inner:
	VPMOVSXBW (R9), Y2
	VPMOVSXBW (DI), Y3
	VPMADDWD  Y2, Y3, Y3
	VPADDD    Y3, Y0, Y0
	VPMOVSXBW 16(R9), Y4
	VPMOVSXBW 16(DI), Y5
	VPMADDWD  Y4, Y5, Y5
	VPADDD    Y5, Y1, Y1
	ADDQ      $32, R9
	ADDQ      $32, DI
	SUBQ      $32, R10
	JNZ       inner

	VPADDD       Y0, Y1, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X0, X1, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X0, X1, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X0, X1, X0
	VMOVD        X0, AX
	MOVL         AX, (R8)
	ADDQ         $4, R8
	DECQ         CX
	JNZ          row
	VZEROUPPER

done:
	RET
