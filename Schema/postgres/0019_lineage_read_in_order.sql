-- A product's lineage (its upstream products, in order) is read by an index scan that stops after
-- the first 100 (`DataProduct.lineage`'s bound): the statement reads each product's links through
-- a LATERAL `ORDER BY upstream_id LIMIT 100` (it numbered every link of every product with a window
-- function before, so its work grew with the whole lineage). The other direction reads the
-- primary key (upstream_id, downstream_id) the same way.
CREATE INDEX lineage_downstream_upstream ON data_product_lineage (downstream_id, upstream_id);
DROP INDEX lineage_downstream;
