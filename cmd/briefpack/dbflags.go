package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"briefpack/briefing"
	"briefpack/store"
)

// etcdFlags are how a command reaches an etcd cluster beyond its address.
// The password is read from a file or the environment, never from the
// command line, where other users of the machine could read it.
type etcdFlags struct {
	user, passwordFile, cert, key, ca *string
}

// The --db help of a command that creates a missing database (serve, user
// add), and of one that refuses it (backup, check, export).
const (
	dbHelpCreate   = "database: a bbolt file (created if missing), or etcd://host:port[,host:port…][/prefix]"
	dbHelpExisting = "database: an existing bbolt file, or etcd://host:port[,host:port…][/prefix]"
)

func addEtcdFlags(fs *flag.FlagSet) *etcdFlags {
	return &etcdFlags{
		user:         fs.String("etcd-user", "", "etcd user name (or BRIEFPACK_ETCD_USER); its password from --etcd-password-file or BRIEFPACK_ETCD_PASSWORD"),
		passwordFile: fs.String("etcd-password-file", "", "file whose first line is the etcd user's password (or BRIEFPACK_ETCD_PASSWORD)"),
		cert:         fs.String("etcd-cert", "", "TLS client certificate for etcd (or BRIEFPACK_ETCD_CERT)"),
		key:          fs.String("etcd-key", "", "its private key (or BRIEFPACK_ETCD_KEY)"),
		ca:           fs.String("etcd-ca", "", "authority that signed etcd's certificates (or BRIEFPACK_ETCD_CA)"),
	}
}

// open opens the database spec names with these flags.
func (f *etcdFlags) open(spec, jurisdiction string) (*store.DB, error) {
	return store.OpenAny(spec, jurisdiction, f.apply)
}

// openExisting opens the database spec names, which must exist, to read it
// and never write it: a command that only reads one never creates one under
// a mistyped etcd prefix (a file it opens is checked to exist first, see
// mustExist), never migrates it, and reads a file it may not write. The
// database is as it stands, at its own schema (see openCurrent).
func (f *etcdFlags) openExisting(spec string) (*store.DB, error) {
	return store.OpenAnyReadOnly(spec, f.apply)
}

// openCurrent is openExisting for a command that reads the records: a
// database an older briefpack wrote is read through a private copy
// migrated to this briefpack's schema, in the temporary directory, and
// stays as it was (so that a backup of it is still one from before the
// upgrade). It says so on stdout.
func (f *etcdFlags) openCurrent(spec string, stdout io.Writer) (*store.DB, error) {
	db, err := f.openExisting(spec)
	if err != nil {
		return nil, err
	}
	if db.Schema() == briefing.SchemaVersion() {
		return db, nil
	}
	m, err := db.MigratedCopy()
	if cerr := db.Close(); err == nil && cerr != nil {
		_ = m.Close()
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "%s is at schema %d, an earlier briefpack's: read through a private copy migrated to schema %d; %s itself is left as it is\n",
		spec, db.Schema(), briefing.SchemaVersion(), spec)
	return m, nil
}

// apply sets on c what the flags give, over what the environment gave.
func (f *etcdFlags) apply(c *store.EtcdConfig) error {
	if *f.user != "" {
		c.Username = *f.user
	}
	if *f.passwordFile != "" {
		b, err := os.ReadFile(*f.passwordFile)
		if err != nil {
			return fmt.Errorf("read the etcd password: %w", err)
		}
		c.Password = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
		if c.Password == "" {
			return fmt.Errorf("--etcd-password-file %s holds no password on its first line", *f.passwordFile)
		}
	}
	for _, p := range []struct{ flag, conf *string }{{f.cert, &c.CertFile}, {f.key, &c.KeyFile}, {f.ca, &c.CAFile}} {
		if *p.flag != "" {
			*p.conf = *p.flag
		}
	}
	return nil
}
