// Package vault encrypts database fields and uploaded files at rest
// (SECURITY.md item 3) by envelope encryption:
//
//   - every record or file gets a fresh random 256-bit data key, used once,
//     with AES-256-GCM;
//   - that data key is stored next to the ciphertext, wrapped (AES-256-GCM)
//     by a versioned key-encryption key (KEK) from the KeyRing;
//   - the caller's associated data (see AAD) is authenticated by both the
//     wrap and the data encryption, so a ciphertext copied to another table,
//     column or row, truncated, or with any bit flipped fails to open.
//
// Rotation adds a KEK version; old versions stay in the key file so old
// records keep opening, and Rewrap / RewrapStreamHeader move a record to the
// current version without touching its data ciphertext.
//
// Because a file's data key exists only inside that file's header, deleting
// the file (or overwriting its header) also destroys the key, which is what
// retention (SECURITY.md item 12) needs for ID copies.
//
// Failures to open are reported as errors matching ErrDecrypt and never come
// with partial plaintext (streams: see DecryptStream). Errors never contain
// key material or plaintext.
package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrDecrypt is matched (errors.Is) by every failure to open a blob or a
// stream: tampering, a ciphertext moved to another place (other AAD),
// truncation, an unknown format or an unknown KEK version. Callers can treat
// it as "this record cannot be trusted"; no plaintext accompanies it.
var ErrDecrypt = errors.New("vault: cannot decrypt")

// errNoAAD is returned when a caller tries to seal without associated data:
// unbound ciphertexts could be moved between rows unnoticed, so it is a
// programming error we refuse rather than tolerate.
var errNoAAD = errors.New("vault: associated data is required (use AAD)")

const (
	keySize   = 32 // AES-256 for KEKs and data keys
	nonceSize = 12 // standard GCM nonce
	tagSize   = 16 // GCM tag

	// Format bytes. Field blobs and stream headers use different values so
	// one can never be mistaken for the other; the byte is also bound into
	// the wrap's associated data.
	formatBlob   byte = 1
	formatStream byte = 2

	// keyHeaderSize is the part shared by blobs and streams:
	// format(1) | KEK version(4, big endian) | wrap nonce(12) | wrapped data key(32+16).
	keyHeaderSize = 1 + 4 + nonceSize + keySize + tagSize

	// blobHeaderSize adds the data nonce.
	blobHeaderSize = keyHeaderSize + nonceSize
	// minBlobSize is the size of a sealed empty plaintext.
	minBlobSize = blobHeaderSize + tagSize
)

// Domain-separation prefixes for the associated data of each GCM use, so
// a ciphertext of one kind can never authenticate as another kind.
var (
	aadPrefix      = []byte("avgloket/vault/aad/v1\x00")
	wrapAADPrefix  = []byte("avgloket/vault/wrap/v1\x00")
	dataAADPrefix  = []byte("avgloket/vault/data/v1\x00")
	chunkAADPrefix = []byte("avgloket/vault/chunk/v1\x00")
)

// AAD returns the associated data that binds a ciphertext to its place:
// table, column and row id, e.g. AAD("cases", "requester", "42"). The
// encoding is length-prefixed, so distinct triples always give distinct
// results (("a","bc","1") and ("ab","c","1") differ). Callers must pass the
// same triple to Open that they passed to Seal; a blob copied to another
// row or column then fails with ErrDecrypt.
func AAD(table, column string, rowID string) []byte {
	out := make([]byte, 0, len(aadPrefix)+12+len(table)+len(column)+len(rowID))
	out = append(out, aadPrefix...)
	for _, s := range [...]string{table, column, rowID} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	return out
}

// Seal encrypts plaintext under a fresh random data key bound to aad (which
// must be non-empty; use AAD) and wraps the data key with the current KEK.
// The result is a self-describing blob:
//
//	format(1)=0x01 | KEK version(4, big endian) | wrap nonce(12) |
//	wrapped data key(48) | data nonce(12) | ciphertext+tag(len(plaintext)+16)
//
// Two Seals of the same plaintext give unrelated blobs. Seal is safe for
// concurrent use, also with Rotate.
func (k *KeyRing) Seal(plaintext, aad []byte) ([]byte, error) {
	if len(aad) == 0 {
		return nil, errNoAAD
	}
	out := make([]byte, blobHeaderSize, blobHeaderSize+len(plaintext)+tagSize)
	dk, err := k.newKeyHeader(out[:keyHeaderSize], formatBlob, aad)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	nonce := out[keyHeaderSize:blobHeaderSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("vault: random nonce: %w", err)
	}
	data, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	return data.Seal(out, nonce, plaintext, dataAAD(aad)), nil
}

// Open authenticates and decrypts a blob made by Seal with the same aad. Any
// failure (flipped bit, truncation, other aad, unknown KEK version or format)
// returns nil and an error matching ErrDecrypt. Open is safe for concurrent
// use.
func (k *KeyRing) Open(blob, aad []byte) ([]byte, error) {
	if len(blob) < minBlobSize || blob[0] != formatBlob {
		return nil, fmt.Errorf("%w: not a vault blob", ErrDecrypt)
	}
	dk, _, err := k.unwrapKeyHeader(blob[:keyHeaderSize], aad)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return openData(dk, blob, aad)
}

// openData decrypts the data part of a blob whose data key is dk.
func openData(dk, blob, aad []byte) ([]byte, error) {
	data, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	pt, err := data.Open(nil, blob[keyHeaderSize:blobHeaderSize], blob[blobHeaderSize:], dataAAD(aad))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrDecrypt)
	}
	return pt, nil
}

// Rewrap moves a blob to the current KEK version: the data key is unwrapped
// with the blob's (older) KEK and wrapped again with the current one, bound
// to the same aad; the data nonce and ciphertext are kept as they are.
// It authenticates the whole blob first, so it fails (ErrDecrypt) exactly
// when Open would, and never carries a corrupt record forward. If the blob
// already uses the current version, it returns blob itself and changed ==
// false. The rewrap command stores out only when changed is true.
func (k *KeyRing) Rewrap(blob, aad []byte) (out []byte, changed bool, err error) {
	if len(blob) < minBlobSize || blob[0] != formatBlob {
		return nil, false, fmt.Errorf("%w: not a vault blob", ErrDecrypt)
	}
	dk, _, err := k.unwrapKeyHeader(blob[:keyHeaderSize], aad)
	if err != nil {
		return nil, false, err
	}
	defer clear(dk)
	pt, err := openData(dk, blob, aad)
	if err != nil {
		return nil, false, err
	}
	clear(pt)
	hdr, changed, err := k.rewrapKeyHeader(blob[:keyHeaderSize], dk, aad)
	if err != nil {
		return nil, false, err
	}
	if !changed {
		return blob, false, nil
	}
	out = bytes.Clone(blob)
	copy(out, hdr)
	return out, true, nil
}

// KeyVersion reports which KEK version a blob (from Seal) or a stream (the
// first bytes of an EncryptStream output) was wrapped with. It only parses;
// it does not authenticate, and it reports versions the ring does not know,
// so a rewrap command can count what is left to migrate. Input too short or
// of an unknown format gives ErrDecrypt.
func (k *KeyRing) KeyVersion(blob []byte) (uint32, error) {
	if len(blob) < keyHeaderSize || (blob[0] != formatBlob && blob[0] != formatStream) {
		return 0, fmt.Errorf("%w: not a vault blob or stream", ErrDecrypt)
	}
	return binary.BigEndian.Uint32(blob[1:5]), nil
}

// newKeyHeader fills hdr (keyHeaderSize bytes) with format, current KEK
// version, wrap nonce and a fresh data key wrapped for aad, and returns the
// data key. The caller must clear it after use.
func (k *KeyRing) newKeyHeader(hdr []byte, format byte, aad []byte) ([]byte, error) {
	ver, kek := k.currentKEK()
	dk := make([]byte, keySize)
	if _, err := rand.Read(dk); err != nil {
		return nil, fmt.Errorf("vault: random data key: %w", err)
	}
	if err := wrapInto(hdr, format, ver, kek, dk, aad); err != nil {
		clear(dk)
		return nil, err
	}
	return dk, nil
}

// wrapInto writes format, version, a fresh wrap nonce and dk wrapped under
// kek into hdr.
func wrapInto(hdr []byte, format byte, ver uint32, kek, dk, aad []byte) error {
	hdr[0] = format
	binary.BigEndian.PutUint32(hdr[1:5], ver)
	nonce := hdr[5 : 5+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("vault: random nonce: %w", err)
	}
	w, err := newGCM(kek)
	if err != nil {
		return err
	}
	// Seal appends into the header's own remaining 48 bytes.
	w.Seal(hdr[5+nonceSize:5+nonceSize], nonce, dk, wrapAAD(format, ver, aad))
	return nil
}

// unwrapKeyHeader authenticates a key header against aad and returns the
// data key (caller clears it) and the KEK version used.
func (k *KeyRing) unwrapKeyHeader(hdr, aad []byte) ([]byte, uint32, error) {
	format := hdr[0]
	ver := binary.BigEndian.Uint32(hdr[1:5])
	kek, ok := k.kek(ver)
	if !ok {
		return nil, 0, fmt.Errorf("%w: unknown key version %d", ErrDecrypt, ver)
	}
	w, err := newGCM(kek)
	if err != nil {
		return nil, 0, err
	}
	dk, err := w.Open(nil, hdr[5:5+nonceSize], hdr[5+nonceSize:keyHeaderSize], wrapAAD(format, ver, aad))
	if err != nil || len(dk) != keySize {
		return nil, 0, fmt.Errorf("%w: authentication failed", ErrDecrypt)
	}
	return dk, ver, nil
}

// rewrapKeyHeader returns a new key header wrapping dk under the current KEK,
// or changed == false if hdr already uses the current version. hdr must have
// been authenticated by unwrapKeyHeader, which produced dk.
func (k *KeyRing) rewrapKeyHeader(hdr, dk, aad []byte) (out []byte, changed bool, err error) {
	ver, kek := k.currentKEK()
	if binary.BigEndian.Uint32(hdr[1:5]) == ver {
		return hdr, false, nil
	}
	out = make([]byte, keyHeaderSize)
	if err := wrapInto(out, hdr[0], ver, kek, dk, aad); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// wrapAAD binds the wrapped data key to the format, the KEK version (so the
// version field cannot be edited) and the caller's place.
func wrapAAD(format byte, ver uint32, aad []byte) []byte {
	out := make([]byte, 0, len(wrapAADPrefix)+5+len(aad))
	out = append(out, wrapAADPrefix...)
	out = append(out, format)
	out = binary.BigEndian.AppendUint32(out, ver)
	return append(out, aad...)
}

func dataAAD(aad []byte) []byte {
	return append(append(make([]byte, 0, len(dataAADPrefix)+len(aad)), dataAADPrefix...), aad...)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		// Only a wrong key length gets here, which LoadOrCreate rules out.
		return nil, errors.New("vault: bad key length")
	}
	return cipher.NewGCM(b)
}
