package certs_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/internal/certs"
)

func template() *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: "web.shop.svc"}, DNSNames: []string{"web.shop.svc"},
		NotBefore: time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 10, 14, 3, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}
}

func TestSelfSignAndKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	tests := map[string]crypto.Signer{"ecdsa": ec, "rsa": rs, "ed25519": ed}
	for name, key := range tests {
		t.Run(name, func(t *testing.T) {
			der, certPEM, err := certs.SelfSign(template(), key, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				t.Errorf("not self-signed: %v", err)
			}
			if c.SerialNumber == nil || c.SerialNumber.Sign() <= 0 {
				t.Errorf("serial %v, want a random positive one", c.SerialNumber)
			}
			if b, _ := pem.Decode(certPEM); b == nil || !bytes.Equal(b.Bytes, der) {
				t.Error("the PEM form is not the DER form")
			}
			keyPEM, err := certs.EncodeKey(key)
			if err != nil {
				t.Fatal(err)
			}
			back, err := certs.ParseKey(keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Error("the key read back is another key")
			}
		})
	}
}

// An Ed25519 key and a fixed serial give the same certificate every time.
func TestSelfSignDeterministic(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	sign := func() []byte {
		tmpl := template()
		tmpl.SerialNumber = big.NewInt(42)
		der, _, err := certs.SelfSign(tmpl, key, certs.ZeroReader{})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if !bytes.Equal(sign(), sign()) {
		t.Error("two signatures of the same template differ")
	}
}

func TestParseKeyErrors(t *testing.T) {
	tests := map[string]struct {
		in   []byte
		want string
	}{
		"no PEM":    {[]byte("not a key"), "no PEM key found"},
		"not a key": {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}), "not a PKCS#8, PKCS#1 or EC private key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := certs.ParseKey(tc.in); err == nil || err.Error() != tc.want {
				t.Errorf("ParseKey error %v, want %q", err, tc.want)
			}
		})
	}
}
