"""What instructors use to author and release the course: release, leak check, diagrams,
sample submissions (every notebook's right and wrong implementations), scaffolding."""
