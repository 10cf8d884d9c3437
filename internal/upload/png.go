package upload

import (
	"encoding/binary"
	"hash/crc32"
	"math"
)

// pngKeep lists the chunks Clean keeps: the critical ones and ancillary ones
// that affect how pixels look but carry no text, dates or camera data.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true,
	"iCCP": true, "sBIT": true, "pHYs": true, "bKGD": true,
}

// ihdrSize is the length of the IHDR chunk's data.
const ihdrSize = 13

// png filters a PNG stream chunk by chunk (see Clean). The input is known to
// start with the PNG signature. A chunk is streamed before its CRC can be
// checked, so on a CRC error the output already holds it; Clean's callers
// discard output on error.
func (f *filter) png() error {
	sig := f.small[:8]
	if err := f.readFull(sig); err != nil {
		return err
	}
	f.write(sig)
	sawIDAT := false
	for i := 0; ; i++ {
		hdr := f.small[:8] // length (4) and type (4)
		if err := f.readFull(hdr); err != nil {
			return err
		}
		length := binary.BigEndian.Uint32(hdr[:4])
		typ := hdr[4:]
		if !validChunkType(typ) {
			return corrupt("png: chunk %d has an invalid type", i)
		}
		name := string(typ)
		switch {
		case length > math.MaxInt32:
			return corrupt("png: %s chunk has length %d", name, length)
		case (i == 0) != (name == "IHDR"):
			return corrupt("png: IHDR must be the first chunk and only that")
		case name == "IHDR" && length != ihdrSize, name == "IEND" && length != 0:
			return corrupt("png: %s chunk has length %d", name, length)
		case name == "IEND" && !sawIDAT:
			return corrupt("png: no image data")
		}
		sawIDAT = sawIDAT || name == "IDAT"
		keep := pngKeep[name]
		if !keep && typ[0]&0x20 == 0 {
			// An unknown critical chunk: decoders must refuse the image.
			return corrupt("png: unknown critical chunk %s", name)
		}
		if keep {
			f.write(hdr)
		}
		crc := crc32.ChecksumIEEE(typ)
		if err := f.pass(int64(length), keep, &crc); err != nil {
			return err
		}
		sum := f.small[8:12]
		if err := f.readFull(sum); err != nil {
			return err
		}
		if binary.BigEndian.Uint32(sum) != crc {
			return corrupt("png: bad CRC in %s chunk", name)
		}
		if keep {
			f.write(sum)
		}
		if name == "IEND" {
			return f.werr // trailing data is neither read nor copied
		}
	}
}

// validChunkType reports whether a chunk type is four ASCII letters.
func validChunkType(t []byte) bool {
	for _, c := range t {
		if c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}
