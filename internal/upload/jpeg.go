package upload

import (
	"bufio"
	"bytes"
	"encoding/binary"
)

// JPEG markers (ITU-T T.81, table B.1), the byte after 0xFF.
const (
	markerTEM   = 0x01
	markerRST0  = 0xD0
	markerRST7  = 0xD7
	markerSOI   = 0xD8
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerAPP0  = 0xE0
	markerAPP14 = 0xEE
	markerAPP15 = 0xEF
	markerCOM   = 0xFE
)

var (
	idJFIF  = []byte("JFIF\x00")
	idAdobe = []byte("Adobe")
)

// jfifSize is the size of an APP0 JFIF payload without thumbnail:
// "JFIF\0", version (2), units (1), densities (2+2), thumbnail size (1+1).
const jfifSize = 14

// jpeg filters a JPEG stream segment by segment (see Clean). The input is
// known to start with FF D8 FF.
func (f *filter) jpeg() error {
	soi := f.small[:2]
	if err := f.readFull(soi); err != nil {
		return err
	}
	f.write(soi)
	var (
		marker   byte
		err      error
		sawScan  bool
		fromScan bool // marker was read by scan
	)
	for {
		if f.werr != nil {
			return f.werr
		}
		if !fromScan {
			if marker, err = f.nextMarker(); err != nil {
				return err
			}
		}
		fromScan = false
		switch {
		case marker == markerEOI:
			if !sawScan {
				return corrupt("jpeg: end of image before any scan")
			}
			f.put(0xFF, markerEOI)
			return f.werr // trailing data is neither read nor copied
		case marker == markerSOI || marker == 0x00:
			return corrupt("jpeg: unexpected marker %#02x", marker)
		case marker == markerTEM || marker >= markerRST0 && marker <= markerRST7:
			f.put(0xFF, marker) // markers without a length or payload
			continue
		}
		if err := f.readFull(f.small[:2]); err != nil {
			return err
		}
		lb := [2]byte(f.small[:2])
		length := int64(binary.BigEndian.Uint16(lb[:]))
		if length < 2 {
			return corrupt("jpeg: segment %#02x has length %d", marker, length)
		}
		if marker >= markerAPP0 && marker <= markerAPP15 || marker == markerCOM {
			if err := f.jpegApp(marker, lb, length-2); err != nil {
				return err
			}
			continue
		}
		f.put(0xFF, marker, lb[0], lb[1])
		if err := f.pass(length-2, true, nil); err != nil {
			return err
		}
		if marker == markerSOS {
			sawScan = true
			if marker, err = f.scan(); err != nil {
				return err
			}
			fromScan = true
		}
	}
}

// jpegApp handles an APPn or COM segment whose n-byte payload follows: it
// keeps APP0 JFIF (without thumbnail) and APP14 Adobe and drops the rest.
func (f *filter) jpegApp(marker byte, lb [2]byte, n int64) error {
	head := f.small[:min(n, jfifSize)]
	if err := f.readFull(head); err != nil {
		return err
	}
	rest := n - int64(len(head))
	switch {
	case marker == markerAPP0 && len(head) == jfifSize && bytes.HasPrefix(head, idJFIF):
		// A JFIF thumbnail is a small copy of the picture, possibly from
		// before it was masked: keep the header, set the thumbnail size to
		// 0x0 and drop its pixels (and any other excess).
		f.put(0xFF, markerAPP0, 0, jfifSize+2)
		f.write(head[:jfifSize-2])
		f.put(0, 0)
		return f.pass(rest, false, nil)
	case marker == markerAPP0 && bytes.HasPrefix(head, idJFIF),
		marker == markerAPP14 && bytes.HasPrefix(head, idAdobe):
		f.put(0xFF, marker, lb[0], lb[1])
		f.write(head)
		return f.pass(rest, true, nil)
	}
	return f.pass(rest, false, nil)
}

// nextMarker reads a marker between segments: 0xFF, optional 0xFF fill
// bytes (dropped), and the marker byte, which it returns.
func (f *filter) nextMarker() (byte, error) {
	b, err := f.r.ReadByte()
	if err != nil {
		return 0, readErr(err)
	}
	if b != 0xFF {
		return 0, corrupt("jpeg: expected a marker, found %#02x", b)
	}
	for b == 0xFF {
		if b, err = f.r.ReadByte(); err != nil {
			return 0, readErr(err)
		}
	}
	return b, nil
}

// scan copies the entropy-coded data that follows an SOS header, including
// stuffed bytes (FF 00), restart markers (FF D0 to FF D7) and fill bytes,
// and returns the marker that ends it (without writing that marker).
func (f *filter) scan() (byte, error) {
	for {
		if f.werr != nil {
			return 0, f.werr
		}
		data, err := f.r.ReadSlice(0xFF)
		if err == bufio.ErrBufferFull {
			f.write(data)
			continue
		}
		if err != nil {
			return 0, readErr(err)
		}
		f.write(data[:len(data)-1])
		b, err := f.r.ReadByte()
		if err != nil {
			return 0, readErr(err)
		}
		switch {
		case b == 0x00 || b >= markerRST0 && b <= markerRST7:
			f.put(0xFF, b)
		case b == 0xFF:
			// A fill byte: keep it, and look again at the 0xFF after it.
			f.put(0xFF)
			_ = f.r.UnreadByte()
		default:
			return b, nil
		}
	}
}
