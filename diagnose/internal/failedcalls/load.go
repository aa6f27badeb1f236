package failedcalls

import (
	"embed"
	"encoding/json"
	"fmt"
)

// files holds the cases, one file per family, read in this order.
//
//go:embed testdata/*.json
var files embed.FS

// families are the case files under testdata/, in the order Load returns
// them: the IDs and failed reads, the failed writes (what the body sent),
// and the pastes where one clue among several is the cause.
var families = []string{"ids", "body", "cause"}

// Load reads every case from the data files under testdata/.
func Load() ([]Case, error) {
	var all []Case
	for _, f := range families {
		b, err := files.ReadFile("testdata/" + f + ".json")
		if err != nil {
			return nil, fmt.Errorf("failedcalls: %w", err)
		}
		var cs []Case
		if err := json.Unmarshal(b, &cs); err != nil {
			return nil, fmt.Errorf("failedcalls: testdata/%s.json: %w", f, err)
		}
		all = append(all, cs...)
	}
	return all, nil
}
