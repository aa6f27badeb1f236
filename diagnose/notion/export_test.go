package notion

// OnVirtualClock and FakeNotion let the external tests run on the internal
// ones' virtual clock.
var (
	OnVirtualClock = onVirtualClock
	FakeNotion     = fakeNotion
)
