package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
)

// maxKeyFileSize bounds what we read: a real key file is a few hundred
// bytes per version, and a huge file is a mistake, not a key ring.
const maxKeyFileSize = 1 << 20

// KeyRing holds the versioned key-encryption keys (32 bytes each, AES-256),
// which of them is current, and a separate 32-byte key for blind indexes.
// It is safe for concurrent use; Rotate may run while other goroutines Seal
// and Open. Its key material never appears in errors or String output.
type KeyRing struct {
	// rotateMu serialises Rotate, so mu need only be held for the in-memory
	// switch and Seal/Open do not wait for the key file to be synced.
	rotateMu sync.Mutex
	mu       sync.RWMutex
	current  uint32
	keys     map[uint32][]byte // replaced whole by Rotate, never modified, so readers can use a key after unlocking
	// indexKey is set once at load and never changes (not even on Rotate),
	// which is what keeps blind indexes stable.
	indexKey []byte
	// purposeKeys holds the key Index derived from indexKey for each
	// purpose it was called with (a handful, all constants in the code),
	// so that an index does not run HKDF again: string → []byte.
	purposeKeys sync.Map
	// batches holds DecryptStream's cleared plaintext buffers (*[]byte)
	// for reuse: a download allocates none once the portal is warm.
	batches sync.Pool
}

// keyFile is the on-disk JSON form:
// {"current":2,"keys":{"1":"<base64>","2":"<base64>"},"index_key":"<base64>"}.
type keyFile struct {
	Current  uint32            `json:"current"`
	Keys     map[string]string `json:"keys"`
	IndexKey string            `json:"index_key"`
}

// String hides the keys, so a KeyRing that ends up in a log line or a %v
// leaks nothing.
func (k *KeyRing) String() string {
	return fmt.Sprintf("vault.KeyRing{current: %d}", k.CurrentVersion())
}

// GoString hides the keys from %#v as well.
func (k *KeyRing) GoString() string { return k.String() }

// LoadOrCreate reads the key file at path. If it does not exist, it creates
// the parent folder (0700) and a key file (0600) holding one fresh random
// KEK (version 1) and a fresh index key; the file is written to a temporary
// file, synced and then linked into place, so a crash never leaves a half
// written key file and two processes starting at once end up with the same
// keys. It refuses, with an error naming the path but no key material, a key
// file that is not a regular file, whose permissions grant anything to group
// or others, or that is malformed (bad JSON, unknown fields, keys that are not
// 32 bytes of standard base64, a current version not in the file).
func LoadOrCreate(path string) (*KeyRing, error) {
	if path == "" {
		return nil, errors.New("vault: key file path is empty")
	}
	k, err := load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("vault: create key folder: %w", err)
	}
	k = &KeyRing{current: 1, keys: map[uint32][]byte{1: randomKey()}, indexKey: randomKey()}
	data, err := k.marshal()
	if err != nil {
		return nil, err
	}
	switch err := writeKeyFile(path, data, false, 0o600); {
	case errors.Is(err, fs.ErrExist):
		// Someone else created it between our read and our link: theirs
		// wins, since data may already be sealed under it.
		return load(path)
	case err != nil:
		return nil, err
	}
	return k, nil
}

// Rotate adds a new random KEK version, one above the highest present, makes
// it current and saves the key file at path atomically (temporary file,
// sync, rename). Old versions stay, so everything sealed before still opens;
// new Seals use the new version once Rotate returns. The key file at path
// must hold exactly the keys this ring holds: if it is missing or differs
// (another process rotated, or a wrong path), Rotate refuses rather than
// drop a version that data may be sealed under. On error the ring is
// unchanged. Rotations of one key file must not run concurrently in
// different processes.
func (k *KeyRing) Rotate(path string) (newVersion uint32, err error) {
	k.rotateMu.Lock()
	defer k.rotateMu.Unlock()

	onDisk, err := load(path)
	if err != nil {
		return 0, err
	}
	// Only Rotate changes keys and it holds rotateMu, so this snapshot
	// stays valid until we switch below.
	k.mu.RLock()
	same := k.sameKeysLocked(onDisk)
	next := &KeyRing{keys: make(map[uint32][]byte, len(k.keys)+1), indexKey: k.indexKey}
	var highest uint32
	for v, key := range k.keys {
		next.keys[v] = key
		highest = max(highest, v)
	}
	k.mu.RUnlock()
	if !same {
		return 0, fmt.Errorf("vault: rotate: key file %s differs from the loaded key ring; reload before rotating", path)
	}
	if highest == math.MaxUint32 {
		return 0, errors.New("vault: rotate: no key versions left")
	}
	newVersion = highest + 1
	next.current = newVersion
	next.keys[newVersion] = randomKey()
	data, err := next.marshal()
	if err != nil {
		return 0, err
	}
	if err := writeKeyFile(path, data, true, 0o600); err != nil {
		return 0, err
	}
	// Only now that the new key is durable may it be used for sealing.
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = next.keys
	k.current = newVersion
	return newVersion, nil
}

// Retire removes KEK version v from the ring and from the key file at path,
// atomically (temporary file, sync, rename) and keeping the file's
// permission bits (0600 or 0400). Whatever is still sealed under v no
// longer opens afterwards: the caller makes sure nothing is (avgloket key
// retire counts first). It refuses the current version, a version the ring
// does not hold and, as Rotate does, a key file at path that does not hold
// exactly this ring's keys. On error the ring and the file are unchanged.
func (k *KeyRing) Retire(path string, v uint32) error {
	k.rotateMu.Lock()
	defer k.rotateMu.Unlock()

	onDisk, err := load(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("vault: stat key file: %w", err)
	}
	k.mu.RLock()
	same := k.sameKeysLocked(onDisk)
	current := k.current
	_, held := k.keys[v]
	next := &KeyRing{current: current, keys: make(map[uint32][]byte, len(k.keys)), indexKey: k.indexKey}
	for ver, key := range k.keys {
		if ver != v {
			next.keys[ver] = key
		}
	}
	k.mu.RUnlock()
	switch {
	case !same:
		return fmt.Errorf("vault: retire: key file %s differs from the loaded key ring; reload before retiring", path)
	case v == current:
		return fmt.Errorf("vault: retire: version %d is the current version; rotate first", v)
	case !held:
		return fmt.Errorf("vault: retire: the key file has no version %d", v)
	}
	data, err := next.marshal()
	if err != nil {
		return err
	}
	if err := writeKeyFile(path, data, true, st.Mode().Perm()); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = next.keys
	return nil
}

// Versions lists the KEK versions the ring holds, in ascending order.
func (k *KeyRing) Versions() []uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return slices.Sorted(maps.Keys(k.keys))
}

// CurrentVersion is the KEK version new Seals and EncryptStreams use.
func (k *KeyRing) CurrentVersion() uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// Index returns a blind index of value for equality look-ups on an encrypted
// column: the lowercase hex HMAC-SHA256 of value under a key derived (HKDF-
// SHA256) from the index key and purpose. The same (purpose, value) always
// gives the same 64-character string, also after KEK rotation; different
// purposes give unrelated results, so indexes of one column cannot be
// matched against another's. It reveals equality of values, so normalise
// value first (e.g. lowercase e-mail) and index only what must be looked up.
func (k *KeyRing) Index(purpose string, value string) string {
	m := hmac.New(sha256.New, k.purposeKey(purpose))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// purposeKey returns the index key of purpose, derived once.
func (k *KeyRing) purposeKey(purpose string) []byte {
	if key, ok := k.purposeKeys.Load(purpose); ok {
		return key.([]byte)
	}
	key, err := hkdf.Key(sha256.New, k.indexKey, nil, "avgloket/vault/index/v1\x00"+purpose, sha256.Size)
	if err != nil {
		// hkdf.Key fails only for lengths above 255*32 bytes.
		panic("vault: hkdf: " + err.Error())
	}
	stored, _ := k.purposeKeys.LoadOrStore(purpose, key)
	return stored.([]byte)
}

// currentKEK returns the current version and its key. Key slices are never
// written after creation, so the caller may use kek after unlocking.
func (k *KeyRing) currentKEK() (uint32, []byte) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.keys[k.current]
}

func (k *KeyRing) kek(ver uint32) ([]byte, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	key, ok := k.keys[ver]
	return key, ok
}

func (k *KeyRing) sameKeysLocked(other *KeyRing) bool {
	if k.current != other.current || len(k.keys) != len(other.keys) || subtle.ConstantTimeCompare(k.indexKey, other.indexKey) != 1 {
		return false
	}
	for v, key := range k.keys {
		o, ok := other.keys[v]
		if !ok || subtle.ConstantTimeCompare(key, o) != 1 {
			return false
		}
	}
	return true
}

func (k *KeyRing) marshal() ([]byte, error) {
	f := keyFile{Current: k.current, Keys: make(map[string]string, len(k.keys)), IndexKey: base64.StdEncoding.EncodeToString(k.indexKey)}
	for v, key := range k.keys {
		f.Keys[strconv.FormatUint(uint64(v), 10)] = base64.StdEncoding.EncodeToString(key)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, errors.New("vault: encode key file")
	}
	return append(data, '\n'), nil
}

// load reads and checks the key file. A missing file gives an error
// matching fs.ErrNotExist.
func load(path string) (*KeyRing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: open key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: stat key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("vault: key file %s has permissions %#o; it must be 0600 or stricter (chmod 600)", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("vault: read key file: %w", err)
	}
	defer clear(data)
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("vault: key file %s is too large", path)
	}
	k, err := parse(data)
	if err != nil {
		// The reason never quotes file content, which is key material.
		return nil, fmt.Errorf("vault: key file %s is malformed: %s", path, err)
	}
	return k, nil
}

// parse validates a key file. Its errors describe the problem without
// quoting any key.
func parse(data []byte) (*KeyRing, error) {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		// json errors can quote offending input; keep only the kind.
		return nil, errors.New("not a valid JSON key file")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	if len(f.Keys) == 0 {
		return nil, errors.New("no keys")
	}
	k := &KeyRing{current: f.Current, keys: make(map[uint32][]byte, len(f.Keys))}
	for name, enc := range f.Keys {
		v, err := strconv.ParseUint(name, 10, 32)
		if err != nil || v == 0 || strconv.FormatUint(v, 10) != name {
			return nil, errors.New("key versions must be positive decimal numbers without leading zeros")
		}
		key, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("key version %d: %s", v, err)
		}
		k.keys[uint32(v)] = key
	}
	if _, ok := k.keys[k.current]; !ok {
		return nil, fmt.Errorf("current version %d has no key", k.current)
	}
	idx, err := decodeKey(f.IndexKey)
	if err != nil {
		return nil, fmt.Errorf("index_key: %s", err)
	}
	k.indexKey = idx
	return k, nil
}

func decodeKey(enc string) ([]byte, error) {
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, errors.New("not standard base64")
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("must be %d bytes, not %d", keySize, len(key))
	}
	return key, nil
}

func randomKey() []byte {
	key := make([]byte, keySize)
	// crypto/rand.Read never returns an error (it crashes the program if the
	// system's randomness fails), so there is nothing to handle here.
	_, _ = rand.Read(key)
	return key
}

// writeKeyFile writes data to a temporary file of mode perm (0600 or
// stricter) next to path, syncs it and moves it into place: with replace,
// by rename; without, by hard link, which fails with fs.ErrExist instead of overwriting a key file another
// process created meanwhile. The folder is synced so the new name survives
// a power cut.
func writeKeyFile(path string, data []byte, replace bool, perm fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".keys-*.tmp")
	if err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		// After a rename this name is gone; after a link it is a second
		// name for the key file that must not linger.
		os.Remove(tmpName)
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	if replace {
		err = os.Rename(tmpName, path)
	} else {
		err = os.Link(tmpName, path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("vault: write key file: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("vault: sync key folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("vault: sync key folder: %w", err)
	}
	return nil
}
