-- The built-in example set of prompt paper-b1-v1 was recorded as "paper"; it is "paper-figures" now
-- (six of its nine examples are from the paper's TEdBench figures), beside the new default "project".
UPDATE "captions" SET "example_set" = 'paper-figures' WHERE "example_set" = 'paper';
