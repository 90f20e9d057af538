package dev.otimo.registry;

import jakarta.persistence.LockModeType;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

import java.util.Optional;

public interface ModelRepository extends JpaRepository<Model, Long> {

    Optional<Model> findByName(String name);

    /** Locks the model row so that version numbers are handed out one at a time. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select m from Model m where m.name = :name")
    Optional<Model> lockByName(String name);
}
