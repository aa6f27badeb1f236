package secret_test

import (
	"fmt"

	"github.com/notion-check/notion-check/diagnose/secret"
)

func ExampleRedact() {
	fmt.Println(secret.Redact("curl -H 'Authorization: Bearer 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' https://api.notion.com/v1/users/me"))
	fmt.Println(secret.NotionTokens("my token is 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"))
	// Output:
	// curl -H 'Authorization: Bearer [redacted]' https://api.notion.com/v1/users/me
	// 1
}
