package notiontest

// Tokens the fake accepts or refuses. They have the real ntn_ shape (ntn_ +
// 11 digits + 35 letters and digits) so that redaction is tested on
// realistic values.
const (
	// GoodToken is an integration token with every capability.
	GoodToken = "ntn_11111111111GoodTokenAbCdEfGhIjKlMnOpQrStUvWxYz"
	// RevokedToken is a token Notion refuses with 401 unauthorized.
	RevokedToken = "ntn_22222222222RevokedTokenAbCdEfGhIjKlMnOpQrStUvW"
	// NoReadToken is a valid token whose integration lacks the Read content
	// capability: every content read answers 403 restricted_resource, while
	// GET /v1/users/me answers 200.
	NoReadToken = "ntn_33333333333NoReadTokenAbCdEfGhIjKlMnOpQrStUvWx"
	// MarketingToken is the token of a second integration, MarketingName,
	// in the same workspace, with its own sharing: it sees RootPageID,
	// MarketingOnlyPageID and DatabaseID (with DataSourceID and ViewID),
	// not SharedPageID.
	MarketingToken = "ntn_44444444444MarketingTokenAbCdEfGhIjKlMnOpQrStU"
	// PersonalToken is a personal access token: GET /v1/users/me answers a
	// bot whose owner is a user, named PersonalName. It sees what its
	// creator sees: SharedPageID and MarketingOnlyPageID, not
	// UnsharedPageID.
	PersonalToken = "ntn_55555555555PersonalTokenAbCdEfGhIjKlMnOpQrStUvW"
	// OAuthToken is a public (OAuth) integration's access token, OAuthName:
	// GET /v1/users/me answers a bot owned by the user who authorized it,
	// like a personal access token's, but GET /v1/users lists users (a
	// personal access token is refused there, the SDKs' users/me types).
	// It sees the pages its user picked at install: SharedPageID only.
	OAuthToken = "ntn_66666666666OAuthTokenAbCdEfGhIjKlMnOpQrStUvWxYz"
)

// The other integrations.
const (
	// MarketingName is MarketingToken's integration name.
	MarketingName = "Marketing Sync"
	// MarketingIntegrationID is MarketingToken's integration ID.
	MarketingIntegrationID = "1a2b3c4d-0000-4000-8000-0000000171d1"
	// MarketingBotUserID is MarketingToken's bot user ID.
	MarketingBotUserID = "1a2b3c4d-0000-4000-8000-00000000b072"
	// PersonalName is PersonalToken's bot name (as Notion names a personal
	// access token's bot).
	PersonalName = "Notion CLI"
	// PersonalIntegrationID is PersonalToken's integration ID.
	PersonalIntegrationID = "1a2b3c4d-0000-4000-8000-0000000171d2"
	// PersonalBotUserID is PersonalToken's bot user ID.
	PersonalBotUserID = "1a2b3c4d-0000-4000-8000-00000000b073"
	// PersonalOwnerID is the user who created PersonalToken.
	PersonalOwnerID = "1a2b3c4d-0000-4000-8000-000000000a11"
	// OAuthName is OAuthToken's integration name.
	OAuthName = "Acme Public"
	// OAuthIntegrationID is OAuthToken's integration ID.
	OAuthIntegrationID = "1a2b3c4d-0000-4000-8000-0000000171d3"
	// OAuthBotUserID is OAuthToken's bot user ID.
	OAuthBotUserID = "1a2b3c4d-0000-4000-8000-00000000b074"
)

// The integration behind the tokens.
const (
	// IntegrationName is the bot user's name ("name" of GET /v1/users/me),
	// quoted in 404 messages.
	IntegrationName = "Iris Checker"
	// WorkspaceName is bot.workspace_name of GET /v1/users/me.
	WorkspaceName = "Acme Corp"
	// BotUserID is the bot user's ID.
	BotUserID = "1a2b3c4d-0000-4000-8000-00000000b071"
	// IntegrationID is additional_data.integration_id of 404 answers.
	IntegrationID = "1a2b3c4d-0000-4000-8000-0000000171d0"
	// WorkspaceID is bot.workspace_id.
	WorkspaceID = "1a2b3c4d-0000-4000-8000-000000000a0e"
)

// The default world. Every ID is a dashed lowercase UUID; like real Notion
// IDs made since 2024 most are not version-4 UUIDs.
const (
	// RootPageID is a shared page that holds the others (its parent is the
	// workspace).
	RootPageID = "3d47810f-380f-80d7-a001-000000000001"
	// RootPageTitle is RootPageID's title.
	RootPageTitle = "Team Home"

	// SharedPageID is a page shared with the integration, inside RootPageID.
	// Its properties include a "place" property, which jomei/notionapi
	// cannot decode.
	SharedPageID = "3d47810f-380f-80d7-a001-000000000002"
	// SharedPageTitle is SharedPageID's title.
	SharedPageTitle = "Roadmap 2026"

	// UnsharedPageID is a page that exists but is not shared with the
	// integration: 404 object_not_found on every endpoint (exactly like an
	// ID that does not exist).
	UnsharedPageID = "3d47810f-380f-80d7-a001-000000000003"

	// TrashedPageID is a shared page in the trash (in_trash, archived).
	TrashedPageID = "3d47810f-380f-80d7-a001-000000000004"
	// TrashedPageTitle is TrashedPageID's title.
	TrashedPageTitle = "Old Notes"

	// DatabaseID is a shared database with one data source (DataSourceID),
	// inside RootPageID.
	DatabaseID = "3d47810f-380f-80d7-a002-000000000001"
	// DatabaseTitle is DatabaseID's title.
	DatabaseTitle = "Tasks"
	// DataSourceID is DatabaseID's only data source.
	DataSourceID = "3d47810f-380f-80d7-a003-000000000001"
	// DataSourceName is DataSourceID's name.
	DataSourceName = "Tasks"
	// ViewID is a view ("?v=") of DatabaseID.
	ViewID = "3d47810f-380f-80d7-a004-000000000001"
	// RowPageID is a page (row) in DatabaseID's data source.
	RowPageID = "3d47810f-380f-80d7-a001-000000000005"
	// RowPageTitle is RowPageID's title.
	RowPageTitle = "Ship the checker"

	// MultiDatabaseID is a shared database with two data sources
	// (MultiDataSourceID1, MultiDataSourceID2): under 2022-06-28
	// GET /v1/databases answers 400 validation_error for it.
	MultiDatabaseID = "3d47810f-380f-80d7-a002-000000000002"
	// MultiDatabaseTitle is MultiDatabaseID's title.
	MultiDatabaseTitle = "Projects"
	// MultiDataSourceID1 is MultiDatabaseID's first data source.
	MultiDataSourceID1 = "3d47810f-380f-80d7-a003-000000000002"
	// MultiDataSourceName1 is MultiDataSourceID1's name.
	MultiDataSourceName1 = "Projects"
	// MultiDataSourceID2 is MultiDatabaseID's second data source.
	MultiDataSourceID2 = "3d47810f-380f-80d7-a003-000000000003"
	// MultiDataSourceName2 is MultiDataSourceID2's name.
	MultiDataSourceName2 = "Archive"

	// LinkedDatabaseID is a linked database (a view of DatabaseID placed on
	// SharedPageID): a child_database block, but GET /v1/databases answers
	// 400 "is a linked database".
	LinkedDatabaseID = "3d47810f-380f-80d7-a002-000000000003"
	// LinkedDatabaseTitle is LinkedDatabaseID's title.
	LinkedDatabaseTitle = "Tasks (linked)"

	// OrphanDatabaseID is a database whose page is shared but whose data
	// source is not reachable by the integration: under 2025-09-03 GET
	// /v1/databases answers 200 with "data_sources":[], under 2022-06-28
	// 400 "does not contain any data sources accessible by this API bot".
	OrphanDatabaseID = "3d47810f-380f-80d7-a002-000000000004"
	// OrphanDatabaseTitle is OrphanDatabaseID's title.
	OrphanDatabaseTitle = "Imported view"

	// BlockID is a paragraph block directly on SharedPageID.
	BlockID = "3d47810f-380f-80d7-a005-000000000001"
	// NestedBlockID is a paragraph block inside a toggle (ToggleBlockID) on
	// SharedPageID: its parent is a block.
	NestedBlockID = "3d47810f-380f-80d7-a005-000000000002"
	// ToggleBlockID is a toggle block on SharedPageID, parent of
	// NestedBlockID.
	ToggleBlockID = "3d47810f-380f-80d7-a005-000000000003"

	// MarketingOnlyPageID is a page inside RootPageID shared with the
	// Marketing Sync integration only (and seen by the personal access
	// token's creator), not with Iris Checker.
	MarketingOnlyPageID = "3d47810f-380f-80d7-a001-000000000006"
	// MarketingOnlyPageTitle is MarketingOnlyPageID's title.
	MarketingOnlyPageTitle = "Campaigns"

	// HiddenDatabaseID is a database not shared with any integration; its
	// data source HiddenDataSourceID is the target of DataSourceID's
	// "Secret Docs" relation, which the integration cannot see.
	HiddenDatabaseID = "3d47810f-380f-80d7-a002-000000000005"
	// HiddenDataSourceID is HiddenDatabaseID's data source.
	HiddenDataSourceID = "3d47810f-380f-80d7-a003-000000000004"

	// MissingID is an ID no object has (404 everywhere).
	MissingID = "deadbeef-dead-beef-dead-beefdeadbeef"
)

// Versions the fake tells apart.
const (
	// Version20220628 is the last version without data sources.
	Version20220628 = "2022-06-28"
	// Version20250903 introduced data sources.
	Version20250903 = "2025-09-03"
	// Version20260311 removed archived in favour of in_trash.
	Version20260311 = "2026-03-11"
)

// who is an integration of the fake: the key of its sharing.
type who int

const (
	wIris who = iota
	wMarketing
	wPersonal
	wOAuth
)

type kind int

const (
	kPage kind = iota
	kDatabase
	kDataSource
	kBlock
	kView
)

type object struct {
	id     string
	kind   kind
	title  string
	shared bool // with Iris Checker (GoodToken, NoReadToken)
	// others are the other integrations that see the object.
	others  map[who]bool
	trashed bool
	// parent
	parentType string // page_id, block_id, workspace, database_id, data_source_id
	parentID   string
	parentDB   string // database of a data_source parent
	// database
	sources []source
	linked  bool
	orphan  bool
	// block
	blockType string
}

type source struct{ id, name string }

func defaultWorld() map[string]*object {
	objs := []*object{
		{id: RootPageID, kind: kPage, title: RootPageTitle, shared: true, parentType: "workspace"},
		{id: SharedPageID, kind: kPage, title: SharedPageTitle, shared: true, parentType: "page_id", parentID: RootPageID},
		{id: UnsharedPageID, kind: kPage, title: "Private plans", shared: false, parentType: "workspace"},
		{id: TrashedPageID, kind: kPage, title: TrashedPageTitle, shared: true, trashed: true, parentType: "page_id", parentID: RootPageID},
		{id: RowPageID, kind: kPage, title: RowPageTitle, shared: true, parentType: "data_source_id", parentID: DataSourceID, parentDB: DatabaseID},
		{id: DatabaseID, kind: kDatabase, title: DatabaseTitle, shared: true, parentType: "page_id", parentID: RootPageID,
			sources: []source{{DataSourceID, DataSourceName}}},
		{id: DataSourceID, kind: kDataSource, title: DataSourceName, shared: true, parentType: "database_id", parentID: DatabaseID},
		{id: ViewID, kind: kView, title: "All tasks", shared: true, parentType: "database_id", parentID: DatabaseID},
		{id: MultiDatabaseID, kind: kDatabase, title: MultiDatabaseTitle, shared: true, parentType: "page_id", parentID: RootPageID,
			sources: []source{{MultiDataSourceID1, MultiDataSourceName1}, {MultiDataSourceID2, MultiDataSourceName2}}},
		{id: MultiDataSourceID1, kind: kDataSource, title: MultiDataSourceName1, shared: true, parentType: "database_id", parentID: MultiDatabaseID},
		{id: MultiDataSourceID2, kind: kDataSource, title: MultiDataSourceName2, shared: true, parentType: "database_id", parentID: MultiDatabaseID},
		{id: LinkedDatabaseID, kind: kDatabase, title: LinkedDatabaseTitle, shared: true, linked: true, parentType: "page_id", parentID: SharedPageID},
		{id: OrphanDatabaseID, kind: kDatabase, title: OrphanDatabaseTitle, shared: true, orphan: true, parentType: "page_id", parentID: SharedPageID},
		{id: BlockID, kind: kBlock, blockType: "paragraph", title: "Some text", shared: true, parentType: "page_id", parentID: SharedPageID},
		{id: ToggleBlockID, kind: kBlock, blockType: "toggle", title: "Details", shared: true, parentType: "page_id", parentID: SharedPageID},
		{id: HiddenDatabaseID, kind: kDatabase, title: "Legal", shared: false, parentType: "workspace",
			sources: []source{{HiddenDataSourceID, "Legal"}}},
		{id: HiddenDataSourceID, kind: kDataSource, title: "Legal", shared: false, parentType: "database_id", parentID: HiddenDatabaseID},
		{id: NestedBlockID, kind: kBlock, blockType: "paragraph", title: "Hidden text", shared: true, parentType: "block_id", parentID: ToggleBlockID},
	}
	objs = append(objs, &object{id: MarketingOnlyPageID, kind: kPage, title: MarketingOnlyPageTitle, parentType: "page_id", parentID: RootPageID})
	sees := map[who][]string{
		wMarketing: {RootPageID, MarketingOnlyPageID, DatabaseID, DataSourceID, ViewID},
		wPersonal:  {SharedPageID, MarketingOnlyPageID},
		wOAuth:     {SharedPageID},
	}
	m := make(map[string]*object, len(objs))
	for _, o := range objs {
		o.others = map[who]bool{}
		m[o.id] = o
	}
	for w, ids := range sees {
		for _, id := range ids {
			m[id].others[w] = true
		}
	}
	return m
}
