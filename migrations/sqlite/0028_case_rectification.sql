-- +goose Up
-- What a rectification case (AVG art. 16) did with each piece of data it is
-- about: corrected from the old to the new value in the systems named, or
-- kept as it is for a reason (the data are correct, or a professional
-- judgement rather than a fact), with the requester's own statement added
-- to the file where they gave one (BW 7:454(2)). One row per item, in the
-- order recorded, replaced as a whole when the officer saves again. The old
-- and new values, the reason and the statement are the person's data:
-- sealed, bound to "<case id>/<position>", NULL where the item has none.
-- field names what the data are and systems (a JSON list: ["client file"])
-- where they were corrected: not sealed.
CREATE TABLE case_rectification_items (
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    field     TEXT    NOT NULL,
    old_value BLOB    NOT NULL,
    new_value BLOB,
    systems   TEXT    NOT NULL DEFAULT '',
    kept      INTEGER NOT NULL DEFAULT 0 CHECK (kept IN (0, 1)),
    reason    BLOB,
    statement BLOB,
    PRIMARY KEY (case_id, position),
    CHECK (kept = 1 OR (new_value IS NOT NULL AND systems <> '' AND reason IS NULL AND statement IS NULL)),
    CHECK (kept = 0 OR (new_value IS NULL AND systems = '' AND reason IS NOT NULL))
);

-- +goose Down
DROP TABLE case_rectification_items;
