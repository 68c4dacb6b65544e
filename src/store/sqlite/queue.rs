//! The writer's queue, in two lanes. A claim is the one write a person waits
//! on with nothing to do: the phone shows a spinner until the bundle comes.
//! Answers, uploads and the rest are sent from an outbox or by a script, so
//! under load claims go first. The background lane still moves in every
//! group, so it is never starved.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Which lane a write joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// Someone is waiting on the answer to carry on.
    Waiting,
    /// Everything else.
    Background,
}

struct Lanes<T> {
    waiting: VecDeque<T>,
    background: VecDeque<T>,
    open: bool,
}

/// A two-lane queue shared by the store handles and the writer thread.
pub(super) struct Queue<T> {
    lanes: Mutex<Lanes<T>>,
    ready: Condvar,
}

impl<T> Queue<T> {
    pub(super) fn new() -> Self {
        Self {
            lanes: Mutex::new(Lanes {
                waiting: VecDeque::new(),
                background: VecDeque::new(),
                open: true,
            }),
            ready: Condvar::new(),
        }
    }

    /// Adds `item`; hands it back if the queue has been closed.
    pub(super) fn push(&self, lane: Lane, item: T) -> Result<(), T> {
        let mut lanes = self.lock();
        if !lanes.open {
            return Err(item);
        }
        match lane {
            Lane::Waiting => lanes.waiting.push_back(item),
            Lane::Background => lanes.background.push_back(item),
        }
        self.ready.notify_one();
        Ok(())
    }

    /// Waits for the next item; `None` once the queue is closed and empty.
    pub(super) fn wait(&self) -> Option<(Lane, T)> {
        let mut lanes = self.lock();
        loop {
            if let Some(next) = take(&mut lanes) {
                return Some(next);
            }
            if !lanes.open {
                return None;
            }
            lanes = self
                .ready
                .wait(lanes)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// The next item if one is queued, waiting lane first.
    pub(super) fn try_next(&self) -> Option<(Lane, T)> {
        take(&mut self.lock())
    }

    /// The next background item if one is queued.
    pub(super) fn try_next_background(&self) -> Option<T> {
        self.lock().background.pop_front()
    }

    /// Stops accepting items; the ones queued are still handed out.
    pub(super) fn close(&self) {
        self.lock().open = false;
        self.ready.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, Lanes<T>> {
        // The lanes are only pushed to and popped from; a panic elsewhere
        // while the lock was held cannot leave them half-changed.
        self.lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn take<T>(lanes: &mut Lanes<T>) -> Option<(Lane, T)> {
    if let Some(item) = lanes.waiting.pop_front() {
        return Some((Lane::Waiting, item));
    }
    lanes
        .background
        .pop_front()
        .map(|item| (Lane::Background, item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_items_come_first_and_each_lane_keeps_its_order() {
        let queue = Queue::new();
        for (lane, item) in [
            (Lane::Background, 1),
            (Lane::Waiting, 2),
            (Lane::Background, 3),
            (Lane::Waiting, 4),
        ] {
            queue.push(lane, item).unwrap();
        }
        let order: Vec<i32> = std::iter::from_fn(|| queue.try_next())
            .map(|(_, item)| item)
            .collect();
        assert_eq!(order, [2, 4, 1, 3]);
    }

    #[test]
    fn the_background_lane_can_be_asked_for_alone() {
        let queue = Queue::new();
        queue.push(Lane::Waiting, 1).unwrap();
        queue.push(Lane::Background, 2).unwrap();
        assert_eq!(queue.try_next_background(), Some(2));
        assert_eq!(queue.try_next_background(), None);
        assert_eq!(queue.try_next(), Some((Lane::Waiting, 1)));
    }

    #[test]
    fn a_closed_queue_refuses_new_items_but_hands_out_the_queued_ones() {
        let queue = Queue::new();
        queue.push(Lane::Background, 1).unwrap();
        queue.close();
        assert_eq!(queue.push(Lane::Waiting, 2), Err(2));
        assert_eq!(queue.wait(), Some((Lane::Background, 1)));
        assert_eq!(queue.wait(), None);
    }
}
