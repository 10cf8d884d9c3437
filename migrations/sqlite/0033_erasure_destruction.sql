-- +goose Up
-- An erasure item records when the data were erased and by which staff
-- member, and may promise a destruction for a later day instead: a
-- destruction request of a youth-care or medical dossier is carried out
-- within three months (BW 7:455(1), Jeugdwet 7.3.9), and the case stays
-- open until the officer confirms it. SQLite cannot change a CHECK, so the
-- table is made anew and its rows copied; erased rows of before keep an
-- empty erased_on (the day was not recorded then).
CREATE TABLE case_erasure_items_new (
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    activity  TEXT    NOT NULL,
    -- the activity's name in the register when the item was recorded, as
    -- the decision letter names it
    name      TEXT    NOT NULL DEFAULT '',
    action    TEXT    NOT NULL CHECK (action IN ('erased', 'kept', 'scheduled')),
    system    TEXT    NOT NULL DEFAULT '',
    ground    TEXT    NOT NULL DEFAULT '',
    until     TEXT    NOT NULL DEFAULT '',
    -- scheduled: the day the destruction is promised for
    due       TEXT    NOT NULL DEFAULT '',
    -- erased: the day erased; scheduled: the day the destruction was
    -- confirmed, '' while it is pending
    erased_on TEXT    NOT NULL DEFAULT '',
    -- the staff member who recorded the erasure or confirmed it
    erased_by INTEGER REFERENCES staff (id),
    PRIMARY KEY (case_id, activity),
    CHECK (action = 'kept' OR (ground = '' AND until = '')),
    CHECK (action <> 'kept' OR (ground <> '' AND until <> '' AND erased_on = '')),
    CHECK ((action = 'scheduled') = (due <> ''))
);
INSERT INTO case_erasure_items_new (case_id, activity, name, action, system, ground, until)
    SELECT case_id, activity, name, action, system, ground, until FROM case_erasure_items;
DROP TABLE case_erasure_items;
ALTER TABLE case_erasure_items_new RENAME TO case_erasure_items;

-- +goose Down
-- A promised destruction has no place in the older table: it goes back as
-- erased when it was confirmed, and is dropped while it was pending.
CREATE TABLE case_erasure_items_old (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    activity TEXT    NOT NULL,
    name     TEXT    NOT NULL DEFAULT '',
    action   TEXT    NOT NULL CHECK (action IN ('erased', 'kept')),
    system   TEXT    NOT NULL DEFAULT '',
    ground   TEXT    NOT NULL DEFAULT '',
    until    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, activity),
    CHECK (action = 'kept' OR (ground = '' AND until = '')),
    CHECK (action = 'erased' OR (ground <> '' AND until <> ''))
);
INSERT INTO case_erasure_items_old (case_id, activity, name, action, system, ground, until)
    SELECT case_id, activity, name, CASE action WHEN 'scheduled' THEN 'erased' ELSE action END, system, ground, until
    FROM case_erasure_items WHERE action <> 'scheduled' OR erased_on <> '';
DROP TABLE case_erasure_items;
ALTER TABLE case_erasure_items_old RENAME TO case_erasure_items;
