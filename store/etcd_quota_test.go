package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// TestEtcd_SpaceExceeded: a cluster that has reached its space quota
// refuses every write ("mvcc: database space exceeded") until an operator
// compacts, defragments and disarms it, or raises the quota. A save then
// fails unavailable, saying what happened and that nothing was saved, not
// as an unexplained error the server answers 500.
func TestEtcd_SpaceExceeded(t *testing.T) {
	c := etcdtest.StartWith(t, 1, "--quota-backend-bytes", fmt.Sprint(4<<20))
	db := openEtcdTimeout(t, c, "full", 5*time.Second)
	ctx := context.Background()
	value := []byte(strings.Repeat("a full cluster refuses every write until it is compacted ", 1000))
	var err error
	for i := 0; i < 400 && err == nil; i++ {
		err = db.update(ctx, func(tx kvTx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("zz"))
			if err != nil {
				return err
			}
			return bk.Put([]byte(fmt.Sprintf("k%04d", i)), value)
		})
	}
	if err == nil {
		t.Fatal("400 writes of 57 KB fitted in a quota of 4 MiB")
	}
	err = db.CreateAgency(ctx, &briefing.Agency{Name: "Ministry of Justice", Country: "New Zealand"}, briefing.Actor{Name: "t"})
	if briefing.ErrorCode(err) != briefing.EUNAVAILABLE || !strings.Contains(briefing.ErrorMessage(err), "full") ||
		!strings.Contains(briefing.ErrorMessage(err), "nothing was saved") {
		t.Fatalf("a save on a full cluster: %v (code %q, message %q)", err, briefing.ErrorCode(err), briefing.ErrorMessage(err))
	}
	// What was saved before is still read.
	if err := db.viewKV(func(tx kvTx) error {
		if got := tx.Bucket([]byte("zz")).Get([]byte("k0000")); string(got) != string(value) {
			return fmt.Errorf("read back %d bytes", len(got))
		}
		return nil
	}); err != nil {
		t.Fatalf("a read on a full cluster: %v", err)
	}
}
