-- +goose Up
-- The decision letter of a case as it was sent (AVG art. 12(4)): drafted
-- from the decision, edited by the officer, stored in the transaction that
-- decides the case. letter is the whole letter (subject, letterhead,
-- address block, date, reference, body) as sealed JSON, bound to the case
-- id: it holds the requester's name and address and what was decided.
CREATE TABLE case_letters (
    case_id INTEGER  PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    letter  BLOB     NOT NULL,
    sent_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE case_letters;
