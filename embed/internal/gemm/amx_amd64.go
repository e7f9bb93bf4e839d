package gemm

import (
	"sync"

	"golang.org/x/sys/cpu"
)

// useAMX lets tests switch the AMX path off.
var useAMX = true

// amxReady reports whether this process may use AMX-BF16: the CPU has it
// and the OS granted the tile state (see requestAMX). Asked once, on first
// use.
var amxReady = sync.OnceValue(func() bool {
	return hasAVX512 && cpu.X86.HasAMXTile && cpu.X86.HasAMXBF16 && requestAMX()
})

// amxKernel is the AMX kernel in amx_amd64.s: C[0:rows, 0:32] from A split
// into hi and lo bfloat16 matrices and two column blocks of split B.
//
//go:noescape
func amxKernel(kb, ch int, a *uint16, b *uint16, bstride int, rows int, c *float32, ldc int, bias *float32, mode int, cfg *byte, tmp *float32, pf *uint16, pfn int)

// splitRow splits one row of n floats (a multiple of 32) of A into
// bfloat16 hi and lo parts, writing one row of each tile at dst.
//
//go:noescape
func splitRow(n int, src *float32, dst *uint16)

// amxRows is the most rows one AMX kernel call takes, so that its partial
// sums (amxRows × 32 floats, 12 KiB) stay in L1 beside a chunk of B.
const amxRows = 96

// amxChunk is the number of 32-row slices of K the AMX kernel takes at a
// time: 4 make 16 KiB of B.
const amxChunk = 4

// amxAvailable reports whether the AMX path can run.
func amxAvailable() bool { return useAMX && hasAVX512 && amxReady() }

// tileConfig is the LDTILECFG block: palette 1, eight tiles of 16 rows of
// 64 bytes.
func tileConfig() [64]byte {
	var cfg [64]byte
	cfg[0] = 1
	for t := 0; t < 8; t++ {
		cfg[16+2*t] = 64
		cfg[48+t] = 16
	}
	return cfg
}

// mulAMX does MulMode on the AMX path if p has a split copy and the CPU
// allows it, and reports whether it did. The caller has checked bounds.
func mulAMX(m int, a []float32, lda int, p *Panels, c []float32, ldc int, mode Mode, s *Scratch) bool {
	if p.bf == nil || !amxAvailable() {
		return false
	}
	k, n := p.K, Cols(p.N)
	mr := Rows(m)
	if s == nil {
		s = new(Scratch)
	}
	// A split row by row into tiles: for each 16 rows, for each 32
	// columns, the hi tile and the lo tile. Rows up to the next 16 are
	// zero, since the kernel reads whole tiles.
	kb := k / 32
	size := (mr + 15) / 16 * kb * 1024
	if cap(s.a) < size {
		s.a = make([]uint16, size)
	}
	at := s.a[:size]
	for i := 0; i < mr; i++ {
		splitRow(k, &a[i*lda], &at[i/16*kb*1024+i%16*32])
	}
	for i := mr; i%16 != 0; i++ {
		for b := 0; b < kb; b++ {
			row := at[i/16*kb*1024+b*1024+i%16*32:]
			clear(row[:32])
			clear(row[512 : 512+32])
		}
	}
	if n := amxRows * 2 * NR; len(s.tmp) < n {
		s.tmp = make([]float32, n)
	}
	// Chunks of K whose slice of B fits L1 beside the partial sums.
	ch := 1
	for _, c := range []int{amxChunk, 2} {
		if kb%c == 0 {
			ch = c
			break
		}
	}
	cfg := tileConfig()
	blk := bfBlock(k)
	var bias *float32
	for j := 0; j < n; j += 2 * NR {
		if mode&Bias != 0 {
			bias = &p.bias[j]
		}
		// The next pair of column blocks, to prefetch while the first
		// rows are done.
		next, pfn := p.bf[0:], 0
		if j+2*NR < n {
			next, pfn = p.bf[(j/NR+2)*blk:], 4*blk
		}
		for i := 0; i < mr; i += amxRows {
			amxKernel(kb, ch, &at[i/16*kb*1024], &p.bf[j/NR*blk], 2*blk, min(amxRows, mr-i), &c[i*ldc+j], ldc, bias, int(mode), &cfg[0], &s.tmp[0], &next[0], pfn)
			pfn = 0
		}
	}
	return true
}
