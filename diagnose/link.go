package diagnose

import (
	"fmt"
	"net/url"
	"strings"
)

// hostClass says what a link's host is to notion-check.
type hostClass int

const (
	hostOther      hostClass = iota // not Notion
	hostContent                     // a Notion host that serves pages and databases
	hostAPI                         // api.notion.com
	hostNotionMisc                  // a Notion host that serves no content (developers, status...)
)

func classifyHost(host string) hostClass {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	switch h {
	case "notion.so", "www.notion.so", "app.notion.so", "notion.com", "www.notion.com", "app.notion.com", "notion.site", "www.notion.site":
		return hostContent
	case "api.notion.com":
		return hostAPI
	}
	if strings.HasSuffix(h, ".notion.site") {
		return hostContent
	}
	if strings.HasSuffix(h, ".notion.so") || strings.HasSuffix(h, ".notion.com") {
		return hostNotionMisc
	}
	return hostOther
}

// notContentPaths are first path segments of Notion web pages that are not
// content: settings, integrations, marketing, sign-in.
var notContentPaths = map[string]bool{
	"profile": true, "my-integrations": true, "integrations": true, "settings": true, "login": true,
	"signup": true, "pricing": true, "product": true, "help": true, "templates": true, "guides": true,
	"desktop": true, "mobile": true, "enterprise": true, "about": true, "careers": true, "security": true,
	"web-clipper": true, "install-integration": true, "oauth2": true, "onboarding": true, "api": true,
	"blog": true, "releases": true, "customers": true, "legal": true, "terms": true, "privacy": true,
}

// link is a parsed Notion (or other) link.
type link struct {
	raw        string
	class      hostClass
	host       string
	pathID     idReading // the ID in the path (zero when none)
	hasPathID  bool
	peek       idReading // p=
	hasPeek    bool
	view       idReading // v=
	hasView    bool
	block      idReading // #block
	hasBlock   bool
	notContent string // why the link is not content ("" when it is)
	// API links.
	endpoint Endpoint
	apiID    idReading
	hasAPIID bool
}

// parseLink parses s as a link if it is one (with or without a scheme).
func parseLink(s string) (link, bool) {
	raw := s
	if !strings.Contains(s, "://") {
		slash := strings.IndexByte(s, '/')
		hostPart := s
		if slash >= 0 {
			hostPart = s[:slash]
		}
		if !strings.Contains(hostPart, ".") || strings.ContainsAny(hostPart, " \t") {
			return link{}, false
		}
		s = "https://" + s
	} else if len(s) > 9 && strings.EqualFold(s[:9], "notion://") {
		// The desktop app's deep links: notion://www.notion.so/Page-<id>.
		s = "https://" + s[len("notion://"):]
		if strings.HasPrefix(strings.ToLower(s), "https://native/") {
			s = "https://www.notion.so/" + s[len("https://native/"):]
		}
	}
	// A link copied from HTML, a JSON export or a chat's raw text has its
	// "&" written as "&amp;" ("?v=…&amp;p=…"): read it as the "&" it is.
	s = strings.ReplaceAll(s, "&amp;", "&")
	u, ok := splitURL(s)
	if !ok {
		nu, err := url.Parse(s)
		if err != nil && strings.Contains(s, "%") {
			// A stray % (a Windows %VARIABLE%): read it as a literal one.
			nu, err = url.Parse(strings.ReplaceAll(s, "%", "%25"))
		}
		if err != nil || nu.Host == "" {
			return link{}, false
		}
		u = urlParts{host: nu.Host, hostname: nu.Hostname(), path: nu.EscapedPath(), rawQuery: nu.RawQuery, fragment: nu.Fragment}
	}
	l := link{raw: raw, host: u.hostname, class: classifyHost(u.host)}
	switch l.class {
	case hostAPI:
		l.parseAPI(u)
	case hostContent:
		l.parseContent(u)
	case hostNotionMisc:
		l.notContent = fmt.Sprintf("%s is a Notion site that holds no workspace content", u.hostname)
	default:
		l.parseOther(u)
	}
	return l, true
}

// urlParts are the parts of a URL that reading a link uses, as net/url
// gives them: Host, Hostname(), EscapedPath(), RawQuery and Fragment.
type urlParts struct {
	host, hostname, path, rawQuery, fragment string
}

// splitURL is url.Parse of the common link, without its allocations:
// http:// or https:// (any case), a host of letters, digits, dots and
// dashes, a path with no byte to escape or unescape, and a fragment with
// no escape. ok is false for any other, which is left to net/url
// (TestSplitURLIsNetURL holds the two to the same parts).
func splitURL(s string) (u urlParts, ok bool) {
	rest := ""
	switch {
	case len(s) > 8 && strings.EqualFold(s[:8], "https://"):
		rest = s[8:]
	case len(s) > 7 && strings.EqualFold(s[:7], "http://"):
		rest = s[7:]
	default:
		return urlParts{}, false
	}
	rest, u.fragment, _ = strings.Cut(rest, "#")
	rest, u.rawQuery, _ = strings.Cut(rest, "?")
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if host == "" {
		return urlParts{}, false
	}
	for i := 0; i < len(host); i++ {
		if !isHostByte(host[i]) {
			return urlParts{}, false
		}
	}
	for i := 0; i < len(rest); i++ {
		if !plainPathByte[rest[i]] {
			return urlParts{}, false
		}
	}
	for _, part := range []string{u.rawQuery, u.fragment} {
		for i := 0; i < len(part); i++ {
			if c := part[i]; c < ' ' || c == 0x7f {
				return urlParts{}, false // net/url refuses a control byte
			}
		}
	}
	if strings.IndexByte(u.fragment, '%') >= 0 {
		return urlParts{}, false
	}
	u.host, u.hostname, u.path = host, host, rest
	return u, true
}

// plainPathByte marks the bytes a URL's path holds as they are: net/url
// neither escapes nor unescapes them. It is never written.
var plainPathByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isHostByte(byte(c))
	}
	for _, c := range []byte("_~/$&+,:;=@") {
		t[c] = true
	}
	return t
}()

func (l *link) parseContent(u urlParts) {
	var room pathSegments
	segs := splitPath(room[:0], u.path)
	if len(segs) > 0 && strings.EqualFold(l.host, "app.notion.com") && segs[0] == "p" {
		segs = segs[1:]
	}
	if len(segs) > 0 && notContentPaths[strings.ToLower(segs[0])] {
		l.notContent = fmt.Sprintf("%s/%s… is a Notion settings or product page, not a page or database", l.host, segs[0])
		if first := strings.ToLower(segs[0]); first == "my-integrations" || first == "integrations" || first == "profile" && len(segs) > 1 && strings.EqualFold(segs[1], "integrations") {
			l.notContent += "; an ID in it is the integration's own ID, which the API never takes as a page or database ID"
		}
		return
	}
	// The ID sits in the last path segment (after the workspace segment, if
	// any, and after the title slug); look further back only if the last
	// segment holds none.
	for i := len(segs) - 1; i >= 0; i-- {
		seg, err := url.PathUnescape(segs[i])
		if err != nil {
			seg = segs[i]
		}
		if vd, ok := segmentID(seg); ok {
			l.pathID, l.hasPathID = vd, true
			break
		}
	}
	for _, key := range []string{"p", "page_id", "id"} {
		if v := queryGet(u.rawQuery, key); v != "" {
			l.peek, l.hasPeek = examineQuery(v), true
			break
		}
	}
	if v := queryGet(u.rawQuery, "v"); v != "" {
		l.view, l.hasView = examineQuery(v), true
	}
	if f := u.fragment; f != "" {
		f = strings.TrimPrefix(f, "block-")
		if vd := examineQuery(f); vd.id != "" || vd.malformed != "" && len(f) >= 16 {
			l.block, l.hasBlock = vd, true
		}
	}
}

// segmentID finds the ID in one path segment: the whole segment, or the
// end of a slug; it also reports an ID-like end that is malformed.
func segmentID(seg string) (idReading, bool) {
	if hasInvisible(seg) {
		vd, ok := segmentID(strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, seg))
		if ok && vd.id != "" {
			vd.repaired = true
			vd.malformed = "it holds invisible characters"
		}
		return vd, ok
	}
	if seg == "" {
		return idReading{}, false
	}
	if isDashedUUID(seg) || len(seg) == 32 && allHex(seg) {
		return idReading{id: dashID(seg)}, true
	}
	if id, ok := idAtEnd(seg); ok {
		return idReading{id: id, extracted: true, from: "a title slug"}, true
	}
	// The last dash-separated parts that are all hex: an ID cut off, with
	// extra characters, or with misplaced dashes.
	parts := strings.Split(seg, "-")
	hexLen, k := 0, len(parts)
	for k > 0 && allHex(parts[k-1]) {
		hexLen += len(parts[k-1])
		k--
	}
	if hexLen >= 16 {
		tail := strings.Join(parts[k:], "-")
		// A hex-looking slug word before a whole 32-hex ID is not part of it.
		vd := shape(tail)
		if vd.id == "" && len(parts[len(parts)-1]) >= 16 {
			vd = shape(parts[len(parts)-1])
		}
		return vd, true
	}
	// A segment that is nothing but ID-like characters with a few non-hex ones.
	if len(seg) >= 28 && len(seg) <= 40 && hexRatio(seg) >= 0.85 {
		return shape(seg), true
	}
	return idReading{}, false
}

func hexRatio(s string) float64 {
	n, h := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			continue
		}
		n++
		if isHex(s[i]) {
			h++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(h) / float64(n)
}

// splitPath appends to segs the segments of a path that are not empty
// (a caller passes an array of its own, so that a common path costs no
// allocation).
func splitPath(segs []string, p string) []string {
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	return segs
}

// pathSegments is room for the segments of a common path.
type pathSegments [8]string

// queryGet is url.ParseQuery(raw).Get(key) without the map: the first
// value of key. A query with an escape, a '+', a ';' or very many
// parameters is left to net/url.
func queryGet(raw, key string) string {
	if !plainQuery(raw) {
		q, _ := url.ParseQuery(raw)
		return q.Get(key)
	}
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(kv, "="); k == key && kv != "" {
			return v
		}
	}
	return ""
}

// plainQuery reports whether queryGet can read raw itself: no escape, no
// '+' or ';', and fewer than 1000 '&'.
func plainQuery(raw string) bool {
	amps := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '%', '+', ';':
			return false
		case '&':
			amps++
		}
	}
	return amps < 1000
}

// apiEndpoints maps the first segment after /v1/ to an endpoint.
var apiEndpoints = map[string]Endpoint{
	"pages": EndpointPages, "databases": EndpointDatabases, "data_sources": EndpointDataSources,
	"blocks": EndpointBlocks, "views": EndpointViews, "comments": EndpointComments,
	"users": EndpointUsers, "search": EndpointSearch,
}

// apiSubRoutes are the words that follow an ID in API routes.
var apiSubRoutes = map[string]bool{"children": true, "query": true, "properties": true, "templates": true, "markdown": true, "move": true}

func (l *link) parseAPI(u urlParts) {
	var room pathSegments
	segs := splitPath(room[:0], u.path)
	if len(segs) == 0 || segs[0] != "v1" {
		l.notContent = "an api.notion.com address without /v1/"
		return
	}
	l.parseAPISegments(segs[1:], func(key string) string { return queryGet(u.rawQuery, key) })
	// ?v= copied from a link onto an API URL: the view, as in a link.
	if v := queryGet(u.rawQuery, "v"); v != "" && l.hasAPIID {
		if vd := examineQuery(v); vd.id != "" {
			l.view, l.hasView = vd, true
		}
	}
}

// parseAPISegments reads an API path's segments after /v1/; query gives
// the value of a query parameter.
func (l *link) parseAPISegments(segs []string, query func(key string) string) {
	if len(segs) == 0 {
		return
	}
	ep, ok := apiEndpoints[segs[0]]
	if !ok {
		// A route that does not exist (/v1/database/<id>): still the ID
		// the person meant.
		for _, seg := range segs[1:] {
			if vd, ok := segmentID(seg); ok && vd.id != "" {
				l.apiID, l.hasAPIID = vd, true
				return
			}
		}
		return
	}
	l.endpoint = ep
	switch ep {
	case EndpointUsers, EndpointSearch:
		return
	case EndpointComments:
		if v := query("block_id"); v != "" {
			l.apiID, l.hasAPIID = examineQuery(v), true
			l.endpoint = EndpointBlocks
		}
		return
	}
	if len(segs) < 2 {
		// POST /v1/pages (create) carries no ID in its path.
		return
	}
	raw, err := url.PathUnescape(segs[1])
	if err != nil {
		raw = segs[1]
	}
	switch {
	case strings.HasSuffix(raw, ":") && len(segs) > 2:
		// A whole link in the path: /v1/pages/https://www.notion.so/Page-<id>.
		raw += "//" + strings.Join(segs[2:], "/")
	case len(segs) > 2 && (strings.Contains(raw, "notion.so") || strings.Contains(raw, "notion.site") || strings.Contains(raw, "notion.com")):
		raw = strings.Join(segs[1:], "/")
	case apiSubRoutes[raw]:
		// /v1/blocks//children: the ID is empty.
		l.apiID, l.hasAPIID = idReading{missing: fmt.Sprintf("the API path has no ID before /%s: the value that should fill it was empty.", raw)}, true
		return
	}
	l.apiID, l.hasAPIID = examine(raw), true
}

func (l *link) parseOther(u urlParts) {
	// Another host: only worth a word when it carries something that looks
	// like a Notion ID, which the person may take for a Notion link.
	var room pathSegments
	for _, seg := range splitPath(room[:0], u.path) {
		if vd, ok := segmentID(seg); ok && vd.id != "" {
			l.notContent = fmt.Sprintf("%s is not a Notion address, although the link holds an ID-like string (%s)", u.hostname, vd.id)
			return
		}
	}
	// In the order written (a map's order would make the answer vary).
	for _, kv := range strings.Split(u.rawQuery, "&") {
		_, v, _ := strings.Cut(kv, "=")
		if vd := shape(v); vd.id != "" && !vd.repaired {
			l.notContent = fmt.Sprintf("%s is not a Notion address, although the link holds an ID-like string (%s)", u.hostname, vd.id)
			return
		}
	}
}

// idReading reduces a link to the ID the person most likely means.
func (l link) idReading() idReading {
	switch {
	case l.hasAPIID:
		vd := l.apiID
		vd.extracted = vd.id != ""
		vd.from = "an API URL"
		return vd
	case l.hasPeek:
		vd := l.peek
		vd.extracted = vd.id != ""
		vd.from = "a peek link (p=)"
		vd.hint = KindPage
		return vd
	case l.hasPathID:
		vd := l.pathID
		vd.extracted = vd.id != ""
		vd.from = "a link"
		if l.hasView {
			vd.hint = KindDatabase
		}
		return vd
	case l.hasBlock:
		vd := l.block
		vd.extracted = vd.id != ""
		vd.from = "a link's #fragment"
		vd.hint = KindBlock
		return vd
	}
	return idReading{missing: "the link holds no Notion ID"}
}
