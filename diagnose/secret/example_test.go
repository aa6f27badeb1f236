package secret_test

import (
	"fmt"

	"github.com/notion-check/notion-check/diagnose/secret"
)

func ExampleRedact() {
	fmt.Println(secret.Redact("curl -H 'Authorization: Bearer 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' https://api.notion.com/v1/users/me"))
	fmt.Println(secret.Redact("glued: key_ntn_456476151729vWBETTAc421EJdkefwPvw8dfNt2oszUa7v, encoded: %22ntn%5F456476151729vWBETTAc421EJdkefwPvw8dfNt2oszUa7v%22"))
	fmt.Println(secret.NotionTokens("my token is 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"))
	// Output:
	// curl -H 'Authorization: Bearer [redacted]' https://api.notion.com/v1/users/me
	// glued: key_[redacted], encoded: %22[redacted]%22
	// 1
}

func ExampleRedactor() {
	// The configured tokens, whatever their shape: masked whole, encoded,
	// split by a zero-width space, or in part (any 12-character run).
	r := secret.NewRedactor("Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured")
	fmt.Println(r.Redact("key=Zq8Xv7Cw6Be5\u200bNr4Mt3Ly2Ku1-configured; part Be5Nr4Mt3Ly2Ku1"))
	// Output:
	// key=[redacted]; part [redacted]
}
