// Checks OutletLedger's checkpoints and proofs with Go's golang.org/x/mod/sumdb/note and sumdb/tlog:
// code we did not write. Reads a JSON document on stdin:
//
//	{"vkey": "...", "checkpoint": "<signed note>",
//	 "inclusion": [{"index": i, "size": n, "leaf": "<base64 chain hash>", "proof": ["<base64>"...], "root": "<base64>"}],
//	 "consistency": [{"from": m, "to": n, "fromRoot": "...", "toRoot": "...", "proof": [...]}]}
//
// and prints "ok: <n> inclusion and <m> consistency proofs, checkpoint of <size> signed by <name>", or
// the first failure (exit 1). With arguments `tiles DIR VKEY`, it reads a C2SP tlog-tiles folder
// (outlet-ledger tiles export) through tlog.TileHashReader, recomputes the signed root from the tiles and
// proves every entry of the entry bundles against it. Run in GOPATH mode with Debian's
// golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tools/verify-go/main.go < proofs.json
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tools/verify-go/main.go tiles DIR VKEY
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Leaf  string   `json:"leaf"`
	Proof []string `json:"proof"`
	Root  string   `json:"root"`
}

type consistency struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"fromRoot"`
	ToRoot   string   `json:"toRoot"`
	Proof    []string `json:"proof"`
}

type input struct {
	Vkey        string        `json:"vkey"`
	Checkpoint  string        `json:"checkpoint"`
	Inclusion   []inclusion   `json:"inclusion"`
	Consistency []consistency `json:"consistency"`
}

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func hash(text string) tlog.Hash {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize {
		fail("%q is not a base64 SHA-256 hash", text)
	}
	var h tlog.Hash
	copy(h[:], raw)
	return h
}

func hashes(texts []string) []tlog.Hash {
	out := make([]tlog.Hash, len(texts))
	for i, t := range texts {
		out[i] = hash(t)
	}
	return out
}

// tileFiles reads C2SP tile paths (tile/<L>/<N>[.p/<W>], N in x-prefixed three-digit groups).
type tileFiles struct{ dir string }

func indexPath(n int64) string {
	groups := []string{fmt.Sprintf("%03d", n%1000)}
	for n /= 1000; n > 0; n /= 1000 {
		groups = append([]string{fmt.Sprintf("x%03d", n%1000)}, groups...)
	}
	return strings.Join(groups, "/")
}

func (t tileFiles) path(level string, n int64, w int) string {
	p := filepath.Join(t.dir, "tile", level, indexPath(n))
	if w != 256 {
		p += fmt.Sprintf(".p/%d", w)
	}
	return p
}

func (t tileFiles) Height() int { return 8 }

func (t tileFiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		data, err := os.ReadFile(t.path(strconv.Itoa(tile.L), tile.N, tile.W))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (t tileFiles) SaveTiles([]tlog.Tile, [][]byte) {}

func tiles(dir, vkey string) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("vkey: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size %q", lines[1])
	}
	root := hash(lines[2])
	files := tileFiles{dir}
	reader := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, files)
	if got, err := tlog.TreeHash(size, reader); err != nil || got != root {
		fail("the tiles do not give the signed root: %v", err)
	}
	proved := int64(0)
	for start := int64(0); start < size; start += 256 {
		w := int(size - start)
		if w > 256 {
			w = 256
		}
		bundle, err := os.ReadFile(files.path("entries", start/256, w))
		if err != nil {
			fail("entry bundle %d: %v", start/256, err)
		}
		for i := 0; i < w; i++ {
			if len(bundle) < 2 {
				fail("entry bundle %d ends early", start/256)
			}
			length := int(bundle[0])<<8 | int(bundle[1])
			entry := bundle[2 : 2+length]
			bundle = bundle[2+length:]
			index := start + int64(i)
			proof, err := tlog.ProveRecord(size, index, reader)
			if err != nil {
				fail("prove %d: %v", index, err)
			}
			if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(entry)); err != nil {
				fail("entry %d: %v", index, err)
			}
			proved++
		}
	}
	fmt.Printf("ok: tiles of %d entries give the root %s signed by %s; %d entries proved from them\n", size, lines[2], verifier.Name(), proved)
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "tiles" {
		tiles(os.Args[2], os.Args[3])
		return
	}
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("input: %v", err)
	}
	verifier, err := note.NewVerifier(in.Vkey)
	if err != nil {
		fail("vkey: %v", err)
	}
	n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint text %q is not of origin %s", n.Text, verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size %q", lines[1])
	}
	signed := tlog.Tree{N: size, Hash: hash(lines[2])}
	for _, p := range in.Inclusion {
		tree := tlog.Tree{N: p.Size, Hash: hash(p.Root)}
		if p.Size == signed.N && tree.Hash != signed.Hash {
			fail("inclusion %d: the root of size %d is not the signed one", p.Index, p.Size)
		}
		leaf, err := base64.StdEncoding.DecodeString(p.Leaf)
		if err != nil {
			fail("inclusion %d: leaf", p.Index)
		}
		if err := tlog.CheckRecord(hashes(p.Proof), tree.N, tree.Hash, p.Index, tlog.RecordHash(leaf)); err != nil {
			fail("inclusion %d in %d: %v", p.Index, p.Size, err)
		}
	}
	for _, p := range in.Consistency {
		if err := tlog.CheckTree(hashes(p.Proof), p.To, hash(p.ToRoot), p.From, hash(p.FromRoot)); err != nil {
			fail("consistency %d to %d: %v", p.From, p.To, err)
		}
	}
	fmt.Printf("ok: %d inclusion and %d consistency proofs, checkpoint of %d signed by %s\n", len(in.Inclusion), len(in.Consistency), size, verifier.Name())
}
