package notion

// Allowed429 lets the external tests share the internal ones' 429 bound.
var Allowed429 = allowed429
