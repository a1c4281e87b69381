import GRDB

/// The schema, as a list of migrations. Shipped migrations are never edited: a change is a new migration.
///
/// Each module that owns tables adds its migrations here in order (the store is the one place that knows
/// the whole schema, so `db info` and `merge` can see all of it).
public enum StoreMigrations {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-mining", migrate: createMiningSchema)
        migrator.registerMigration("v2-crawl", migrate: addCrawlPageLinks)
        migrator.registerMigration("v2-findings", migrate: createFindingsSchema)
        migrator.registerMigration("v2-labelling", migrate: createLabellingSchema)
        migrator.registerMigration("v3-fuzz-campaigns", migrate: createFuzzCampaignSchema)
        migrator.registerMigration("v4-defects", migrate: createDefectSchema)
        migrator.registerMigration("v5-finding-node", migrate: addFindingNode)
        migrator.registerMigration("v6-item-key-case", migrate: addItemKeyCaseIndex)
        migrator.registerMigration("v7-campaign-spent", migrate: addCampaignSpentSeconds)
        migrator.registerMigration("v8-defect-reduction-failure", migrate: addDefectReductionFailure)
        migrator.registerMigration("v9-crawl-paged-runs", migrate: addCrawlPagedRuns)
        return migrator
    }

    /// Trackers, repositories, crawled issues with their labels and comments, crawl state, HP selection,
    /// and the annotation tables (items, samples, annotators, assignments, append-only annotations,
    /// adjudications).
    static func createMiningSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE tracker (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('github', 'gitee')),
                api_url TEXT NOT NULL,
                UNIQUE (kind, api_url)
            );
            CREATE TABLE repository (
                id INTEGER PRIMARY KEY,
                tracker_id INTEGER NOT NULL REFERENCES tracker(id),
                owner TEXT NOT NULL,
                name TEXT NOT NULL,
                framework TEXT,
                remote_id INTEGER,
                UNIQUE (tracker_id, owner, name)
            );
            -- One row per tracker issue. `number` is text: Gitee numbers look like 'I65G7B'.
            CREATE TABLE issue (
                id INTEGER PRIMARY KEY,
                repository_id INTEGER NOT NULL REFERENCES repository(id),
                number TEXT NOT NULL,
                remote_id INTEGER,
                title TEXT NOT NULL DEFAULT '',
                body TEXT,
                body_text TEXT,
                state TEXT,
                state_reason TEXT,
                is_pull_request BOOLEAN NOT NULL DEFAULT 0,
                author TEXT,
                url TEXT,
                priority INTEGER,
                issue_type TEXT,
                comment_count INTEGER,
                created_at TEXT,
                updated_at TEXT,
                closed_at TEXT,
                deleted BOOLEAN NOT NULL DEFAULT 0,
                raw_json TEXT NOT NULL,
                fetched_at TEXT NOT NULL,
                UNIQUE (repository_id, number)
            );
            CREATE INDEX issue_by_updated ON issue(repository_id, updated_at);
            CREATE INDEX issue_by_url ON issue(url);
            CREATE INDEX issue_by_remote_id ON issue(repository_id, remote_id);
            -- Labels keep the tracker's id, so a rename is an update of one row, visible to every issue.
            CREATE TABLE label (
                id INTEGER PRIMARY KEY,
                repository_id INTEGER NOT NULL REFERENCES repository(id),
                remote_id INTEGER NOT NULL,
                name TEXT NOT NULL,
                color TEXT,
                description TEXT,
                UNIQUE (repository_id, remote_id)
            );
            CREATE TABLE issue_label (
                issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
                label_id INTEGER NOT NULL REFERENCES label(id) ON DELETE CASCADE,
                PRIMARY KEY (issue_id, label_id)
            ) WITHOUT ROWID;
            CREATE TABLE issue_comment (
                id INTEGER PRIMARY KEY,
                issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
                remote_id INTEGER NOT NULL,
                author TEXT,
                body TEXT,
                created_at TEXT,
                updated_at TEXT,
                raw_json TEXT NOT NULL,
                UNIQUE (issue_id, remote_id)
            );
            -- Where a crawl series (one label filter of one repository) stands; committed with each page.
            CREATE TABLE crawl_state (
                id INTEGER PRIMARY KEY,
                repository_id INTEGER NOT NULL REFERENCES repository(id),
                series TEXT NOT NULL,
                next_url TEXT,
                pages_done INTEGER NOT NULL DEFAULT 0,
                high_water_mark TEXT,
                status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
                started_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (repository_id, series)
            );
            CREATE TABLE page_etag (
                repository_id INTEGER NOT NULL REFERENCES repository(id),
                url TEXT NOT NULL,
                etag TEXT NOT NULL,
                PRIMARY KEY (repository_id, url)
            ) WITHOUT ROWID;
            -- Which preset (and which of its rules) made an issue an HP candidate.
            CREATE TABLE hp_selection (
                issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
                preset TEXT NOT NULL,
                rule TEXT NOT NULL,
                selected_at TEXT NOT NULL,
                PRIMARY KEY (issue_id, preset)
            ) WITHOUT ROWID;
            -- Something to label: a crawled issue, or a bare item imported from a published ratings file.
            CREATE TABLE item (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                issue_id INTEGER REFERENCES issue(id),
                framework TEXT,
                title TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX item_by_issue ON item(issue_id);
            CREATE TABLE sample (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                seed INTEGER NOT NULL,
                per_framework INTEGER,
                preset TEXT,
                created_at TEXT NOT NULL
            );
            CREATE TABLE sample_item (
                sample_id INTEGER NOT NULL REFERENCES sample(id) ON DELETE CASCADE,
                item_id INTEGER NOT NULL REFERENCES item(id),
                position INTEGER NOT NULL,
                PRIMARY KEY (sample_id, item_id)
            ) WITHOUT ROWID;
            CREATE TABLE annotator (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            );
            CREATE TABLE assignment (
                sample_id INTEGER NOT NULL REFERENCES sample(id) ON DELETE CASCADE,
                annotator_id INTEGER NOT NULL REFERENCES annotator(id),
                item_id INTEGER NOT NULL REFERENCES item(id),
                position INTEGER NOT NULL,
                PRIMARY KEY (sample_id, annotator_id, item_id)
            ) WITHOUT ROWID;
            -- Append-only history of every label given. A 'retract' row undoes the label before it;
            -- the current label of an annotator for an item is the view below.
            CREATE TABLE annotation (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id INTEGER NOT NULL REFERENCES item(id),
                annotator_id INTEGER NOT NULL REFERENCES annotator(id),
                level TEXT NOT NULL CHECK (level IN ('subtype', 'major')),
                action TEXT NOT NULL DEFAULT 'label' CHECK (action IN ('label', 'retract')),
                label TEXT,
                unsure BOOLEAN NOT NULL DEFAULT 0,
                note TEXT,
                source TEXT NOT NULL DEFAULT 'tui',
                created_at TEXT NOT NULL,
                CHECK (action = 'retract' OR label IS NOT NULL)
            );
            CREATE INDEX annotation_by_item ON annotation(item_id, annotator_id, level, id);
            CREATE TRIGGER annotation_no_update BEFORE UPDATE ON annotation
                BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
            CREATE TRIGGER annotation_no_delete BEFORE DELETE ON annotation
                BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
            CREATE VIEW current_annotation AS
                SELECT a.* FROM annotation a
                WHERE a.action = 'label'
                  AND a.id = (SELECT MAX(b.id) FROM annotation b
                              WHERE b.item_id = a.item_id AND b.annotator_id = a.annotator_id AND b.level = a.level);
            -- Settled labels, kept apart from raw labels; the latest per item and level counts.
            CREATE TABLE adjudication (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id INTEGER NOT NULL REFERENCES item(id),
                level TEXT NOT NULL CHECK (level IN ('subtype', 'major')),
                label TEXT NOT NULL,
                adjudicator TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('manual', 'majority', 'import')),
                rationale TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX adjudication_by_item ON adjudication(item_id, level, id);
            CREATE VIEW current_adjudication AS
                SELECT j.* FROM adjudication j
                WHERE j.id = (SELECT MAX(k.id) FROM adjudication k WHERE k.item_id = j.item_id AND k.level = j.level);
            """)
    }

    /// A 304 has no body and may have no `link`: the next page URL is kept with the page's ETag, so an
    /// unchanged page still tells the crawler where to go next. `first_url` is where the series' last pass
    /// began: a short incremental pass is asked again with the same URL, so "nothing changed" costs a 304.
    static func addCrawlPageLinks(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE page_etag ADD COLUMN next_url TEXT;
            ALTER TABLE page_etag ADD COLUMN last_page INTEGER;
            ALTER TABLE crawl_state ADD COLUMN first_url TEXT;
            """)
    }

    /// Differential runs (one per `diff` invocation: model, frameworks, per-framework results as JSON) and the
    /// findings they raised, each with its taxonomy subtype, symptom, stage, frameworks and localized node.
    static func createFindingsSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE diff_run (
                id INTEGER PRIMARY KEY,
                model TEXT NOT NULL,
                model_hash TEXT NOT NULL,
                seed INTEGER NOT NULL,
                frameworks TEXT NOT NULL,
                results_json TEXT NOT NULL,
                started_at TEXT NOT NULL
            );
            CREATE TABLE finding (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES diff_run(id),
                key TEXT NOT NULL,
                taxonomy TEXT NOT NULL,
                symptom TEXT NOT NULL,
                stage TEXT,
                frameworks TEXT NOT NULL,
                node TEXT,
                detail TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX finding_taxonomy ON finding(taxonomy);
            CREATE INDEX finding_key ON finding(key);
            """)
    }

    /// Labelling (issue 5): annotators' notes and unsure flags, append-only like the labels they qualify,
    /// and the indexes a labelling session's queue and undo read on every keystroke.
    static func createLabellingSchema(_ db: Database) throws {
        try db.execute(sql: """
            -- kind 'note' carries text; 'unsure' and 'sure' set and clear the flag (latest wins).
            CREATE TABLE annotation_remark (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id INTEGER NOT NULL REFERENCES item(id),
                annotator_id INTEGER NOT NULL REFERENCES annotator(id),
                kind TEXT NOT NULL CHECK (kind IN ('note', 'unsure', 'sure')),
                text TEXT,
                created_at TEXT NOT NULL,
                CHECK (kind <> 'note' OR text IS NOT NULL)
            );
            CREATE INDEX annotation_remark_by_item ON annotation_remark(item_id, annotator_id, id);
            CREATE TRIGGER annotation_remark_no_update BEFORE UPDATE ON annotation_remark
                BEGIN SELECT RAISE(ABORT, 'annotation remarks are append-only'); END;
            CREATE TRIGGER annotation_remark_no_delete BEFORE DELETE ON annotation_remark
                BEGIN SELECT RAISE(ABORT, 'annotation remarks are append-only'); END;
            CREATE INDEX assignment_by_annotator ON assignment(annotator_id, sample_id, position);
            CREATE INDEX annotation_by_annotator ON annotation(annotator_id, id);
            """)
    }

    /// Fuzzing campaigns (and RQ3 study runs), every mutant they made, and their findings. Kept apart from the
    /// framework workers' tables: a campaign owns its mutants and findings.
    static func createFuzzCampaignSchema(_ db: Database) throws {
        try db.execute(sql: """
            -- One campaign shard. `key` is the configuration without the budget, so the same command resumes.
            CREATE TABLE campaign (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                config_json TEXT NOT NULL,
                seed INTEGER NOT NULL,
                shard_index INTEGER NOT NULL DEFAULT 0,
                shard_count INTEGER NOT NULL DEFAULT 1,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                status TEXT NOT NULL DEFAULT 'running'
            );
            -- Every mutant a campaign made, legal or not: lineage, content hash, validity, per-framework status,
            -- verdicts, and the wall-time split.
            CREATE TABLE mutant (
                id INTEGER PRIMARY KEY,
                campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                seed_model TEXT NOT NULL,
                parent_step INTEGER,
                mutation_order INTEGER NOT NULL,
                operator TEXT,
                position TEXT,
                record_json TEXT,
                lineage_json TEXT NOT NULL,
                hash TEXT,
                status TEXT NOT NULL,
                reason TEXT,
                frameworks_json TEXT NOT NULL DEFAULT '{}',
                verdicts_json TEXT NOT NULL DEFAULT '{}',
                new_coverage INTEGER NOT NULL DEFAULT 0,
                mutation_seconds REAL NOT NULL DEFAULT 0,
                reference_seconds REAL NOT NULL DEFAULT 0,
                worker_seconds REAL NOT NULL DEFAULT 0,
                oracle_seconds REAL NOT NULL DEFAULT 0,
                memory_bytes INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                UNIQUE (campaign_id, step)
            );
            CREATE INDEX mutant_by_hash ON mutant(hash);
            CREATE TABLE campaign_finding (
                id INTEGER PRIMARY KEY,
                campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                framework TEXT NOT NULL,
                symptom TEXT NOT NULL,
                stage TEXT,
                scope TEXT NOT NULL,
                op TEXT NOT NULL,
                subtype TEXT NOT NULL,
                signature TEXT NOT NULL,
                first_seen BOOLEAN NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX campaign_finding_by_signature ON campaign_finding(campaign_id, signature);
            """)
    }

    /// Unique defects (issue 9): raw campaign findings folded by signature, across campaigns and shards, with
    /// their smallest representative, the reduced model, the interface/composition verdict and the reproducer.
    /// The node a finding localizes to, by name (the op type alone cannot say which of a model's several
    /// convolutions deviated, and a defect's signature describes that node's attributes); NULL for findings
    /// that do not localize (crashes, errors, performance) and for findings stored before.
    static func addFindingNode(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE campaign_finding ADD COLUMN node TEXT")
    }

    /// Ratings find an item by its key without case (a tracker URL's owner and repository are case-blind), so
    /// `lower(key)` is indexed: without it every new item of an import scanned the whole table.
    static func addItemKeyCaseIndex(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX item_by_lower_key ON item(lower(key))")
    }

    /// The wall time a campaign's steps have taken over all its runs: a time budget is what is left of it on
    /// resume (it restarted in full), and a campaign whose time is spent is finished, not paused.
    static func addCampaignSpentSeconds(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE campaign ADD COLUMN spent_seconds REAL NOT NULL DEFAULT 0")
    }

    /// Why the last reduction of a defect failed (its representative no longer shows it: a timing finding, a
    /// flaky one), so `defects show` says it was tried rather than pointing at a command that fails again.
    /// The runs of one `updated_at` a pass paged by number (newline-separated times), read again when the pass
    /// ends: kept with the pass, since a pass resumed by another run (after `--max-requests` or a kill) forgot
    /// them, and an item such a run moved across a page boundary was lost for good.
    static func addCrawlPagedRuns(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE crawl_state ADD COLUMN paged_runs TEXT")
    }

    static func addDefectReductionFailure(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE defect ADD COLUMN reduction_failure TEXT")
    }

    static func createDefectSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE defect (
                id INTEGER PRIMARY KEY,
                -- symptom|stage|subtype|frameworks|op|key attributes|normalized error: what makes two findings one bug.
                signature TEXT NOT NULL UNIQUE,
                subtype TEXT NOT NULL,
                symptom TEXT NOT NULL,
                stage TEXT,
                frameworks TEXT NOT NULL,          -- the deviating frameworks, sorted, comma-separated
                op TEXT NOT NULL,
                key_attributes TEXT NOT NULL DEFAULT '',
                error TEXT NOT NULL DEFAULT '',    -- normalized error message and top frames (crashes, errors)
                title TEXT NOT NULL,
                finding_count INTEGER NOT NULL DEFAULT 0,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                representative_campaign_id INTEGER REFERENCES campaign(id) ON DELETE SET NULL,
                representative_step INTEGER,
                representative_nodes INTEGER,
                reduced_graph_json TEXT,           -- the minimal model after delta debugging
                reduced_nodes INTEGER,
                kind TEXT CHECK (kind IS NULL OR kind IN ('interface', 'composition')),
                repro_path TEXT,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX defect_by_subtype ON defect(subtype);
            -- Which raw findings each defect folds (one defect per finding).
            CREATE TABLE defect_finding (
                finding_id INTEGER PRIMARY KEY REFERENCES campaign_finding(id) ON DELETE CASCADE,
                defect_id INTEGER NOT NULL REFERENCES defect(id) ON DELETE CASCADE
            );
            CREATE INDEX defect_finding_by_defect ON defect_finding(defect_id);
            """)
    }
}
