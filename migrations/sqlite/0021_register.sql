-- +goose Up
-- The register of processing activities (AVG art. 30(1)). An activity is
-- read and edited as a whole, so its lists (data subjects, data categories,
-- recipients) and its retention live in body, the activity as JSON (API.md's
-- shape); key and legal_basis are columns of their own because other
-- records look activities up by them (cases, consents: only an activity on
-- consent has consents). The register describes the practice's processing,
-- not people: it is kept in clear, like the practice's settings.
CREATE TABLE activities (
    id          INTEGER  PRIMARY KEY,
    key         TEXT     NOT NULL UNIQUE,
    -- the register's order: the template's, then in order of addition
    position    INTEGER  NOT NULL,
    legal_basis TEXT     NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'legal_obligation', 'vital_interests',
                                                         'public_task', 'legitimate_interests')),
    body        TEXT     NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- When the template register was put in (one row at most): a practice gets
-- it once, when it is set up or, for a practice set up before the register
-- existed, at the next start; never again, even if it removes every
-- activity.
CREATE TABLE register_seeded (
    id        INTEGER  PRIMARY KEY CHECK (id = 1),
    country   TEXT     NOT NULL,
    seeded_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE register_seeded;
DROP TABLE activities;
