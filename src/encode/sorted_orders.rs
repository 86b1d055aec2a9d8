//! The sorted orders of the key sequences a walk met (`sort_keys`): dicts with the same
//! keys in the same order (a list of records, a document's repeated objects) are sorted
//! once per walk, and then only their keys' identities compared. Pure Rust: keys are
//! opaque identities here (the walk passes object addresses, stable while it runs).

/// Key sequences kept at most, and their keys in all: past either, the kept ones are let
/// go, so that a walk moving on to other shapes starts keeping those.
const MAX_SHAPES: usize = 16;
const MAX_KEYS: usize = 4096;

/// Sequences a walk sorts before it keeps orders: a small document's few dicts are sorted
/// in place with nothing allocated (keeping cost a one-dict dumps a sixth more).
const KEEP_AFTER: usize = 4;

#[derive(Default)]
pub struct SortedOrders {
    /// The kept key sequences, one after another.
    keys: Vec<usize>,
    /// Each kept sequence's order (indices into it), at the same offsets as its keys.
    orders: Vec<u32>,
    /// Where each kept sequence starts, and its length.
    shapes: Vec<(usize, usize)>,
    /// Sequences met so far, up to [`KEEP_AFTER`].
    met: usize,
}

impl SortedOrders {
    /// The order in which to write `items` (indices into them, sorted by key): a kept one if
    /// their keys (`key` of each) were met in this order before, else the order `sort`
    /// makes of `0..items.len()`, then kept. `None` for the walk's first few sequences,
    /// which the caller sorts itself.
    pub fn order<T>(&mut self, items: &[T], key: impl Fn(&T) -> usize, sort: impl FnOnce(&mut [u32])) -> Option<&[u32]> {
        if self.met < KEEP_AFTER {
            self.met += 1;
            return None;
        }
        let n = items.len();
        let found = self.shapes.iter().find(|&&(start, len)| {
            len == n && self.keys[start..start + len].iter().zip(items).all(|(&kept, item)| kept == key(item))
        });
        if let Some(&(start, len)) = found {
            return Some(&self.orders[start..start + len]);
        }
        if self.shapes.len() == MAX_SHAPES || self.keys.len() + n > MAX_KEYS {
            self.clear();
        }
        let start = self.keys.len();
        self.keys.extend(items.iter().map(key));
        self.orders.extend(0..n as u32);
        sort(&mut self.orders[start..]);
        // A sequence longer than all the room is sorted but not kept.
        if n <= MAX_KEYS {
            self.shapes.push((start, n));
        }
        Some(&self.orders[start..])
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.orders.clear();
        self.shapes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Orders kept from the start (the first few sequences are the caller's to sort).
    fn keeping() -> SortedOrders {
        SortedOrders { met: KEEP_AFTER, ..SortedOrders::default() }
    }

    /// Sorts the items by their value, counting the sorts.
    fn order_of(orders: &mut SortedOrders, items: &[usize], sorts: &mut usize) -> Vec<u32> {
        orders
            .order(items, |&k| k, |order| {
                *sorts += 1;
                order.sort_by_key(|&i| items[i as usize]);
            })
            .expect("orders are kept")
            .to_vec()
    }

    #[test]
    fn the_first_few_sequences_are_left_to_the_caller() {
        let mut orders = SortedOrders::default();
        for _ in 0..KEEP_AFTER {
            assert!(orders.order(&[2, 1], |&k| k, |_| panic!("not sorted here")).is_none());
        }
        assert!(orders.keys.capacity() == 0 && orders.shapes.capacity() == 0);
        assert_eq!(orders.order(&[2, 1], |&k| k, |order| order.reverse()), Some(&[1, 0][..]));
    }

    #[test]
    fn the_same_keys_in_the_same_order_sort_once() {
        let (mut orders, mut sorts) = (keeping(), 0);
        assert_eq!(order_of(&mut orders, &[30, 10, 20], &mut sorts), [1, 2, 0]);
        assert_eq!(order_of(&mut orders, &[5, 1], &mut sorts), [1, 0]);
        assert_eq!(order_of(&mut orders, &[30, 10, 20], &mut sorts), [1, 2, 0]);
        assert_eq!(sorts, 2);
        // Other orders, a prefix, an extension: new shapes.
        assert_eq!(order_of(&mut orders, &[10, 30, 20], &mut sorts), [0, 2, 1]);
        assert_eq!(order_of(&mut orders, &[30, 10], &mut sorts), [1, 0]);
        assert_eq!(order_of(&mut orders, &[30, 10, 20, 0], &mut sorts), [3, 1, 2, 0]);
        assert_eq!(sorts, 5);
    }

    #[test]
    fn kept_shapes_are_let_go_when_full_and_orders_stay_right() {
        let (mut orders, mut sorts) = (keeping(), 0);
        for round in 0..3 {
            for s in 0..MAX_SHAPES + 5 {
                let items: Vec<usize> = (0..8).map(|i| (i * 7 + s) % 11 + s * 100).collect();
                let mut want: Vec<u32> = (0..8).collect();
                want.sort_by_key(|&i| items[i as usize]);
                assert_eq!(order_of(&mut orders, &items, &mut sorts), want, "round {round} shape {s}");
            }
        }
        assert!(orders.shapes.len() <= MAX_SHAPES && orders.keys.len() <= MAX_KEYS);
        // One sequence longer than all the room: sorted every time, never kept.
        let long: Vec<usize> = (0..MAX_KEYS + 1).rev().collect();
        let before = sorts;
        for _ in 0..2 {
            assert_eq!(order_of(&mut orders, &long, &mut sorts)[0], MAX_KEYS as u32);
        }
        assert_eq!(sorts, before + 2);
    }
}
