package store

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

// The audit log's page cursor names the record a page ended at by its
// sequence number, which counts every write of the database, those of
// objects above the reader too: shown as it is, a RESTRICTED reader could
// count the writes made above them between two records they see. It is
// sealed instead, with a random key the database keeps and never shows,
// so that every server of one database reads the cursors any of them gave:
// the number and eight bytes of zeros, enciphered as one AES block. A
// cursor not sealed with the key does not open.

// cursorKeyLen is the key's length: AES-128.
const cursorKeyLen = 16

// keepCursorKey gives the database a cursor key if it has none.
func keepCursorKey(meta kvBucket) error {
	if len(meta.Get(keyCursorKey)) == cursorKeyLen {
		return nil
	}
	key := make([]byte, cursorKeyLen)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("store: make the cursor key: %w", err)
	}
	if err := meta.Put(keyCursorKey, key); err != nil {
		return fmt.Errorf("store: put the cursor key: %w", err)
	}
	return nil
}

// sealCursor is the cursor naming seq, sealed with key; "" without a key
// (a database opened to read only, not yet migrated, serves no pages).
func sealCursor(key []byte, seq uint64) string {
	block, err := aes.NewCipher(key)
	if err != nil {
		return ""
	}
	var plain, out [aes.BlockSize]byte
	binary.BigEndian.PutUint64(plain[:8], seq)
	block.Encrypt(out[:], plain[:])
	return base64.RawURLEncoding.EncodeToString(out[:])
}

// openCursor is the sequence number a cursor sealed with key names.
func openCursor(key []byte, cursor string) (uint64, bool) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) != aes.BlockSize {
		return 0, false
	}
	var plain [aes.BlockSize]byte
	block.Decrypt(plain[:], raw)
	if !bytes.Equal(plain[8:], make([]byte, 8)) {
		return 0, false
	}
	return binary.BigEndian.Uint64(plain[:8]), true
}
